import { buildKey, refusal, renamedPath, splitExtension, type FileError } from '@hoist/protocol';
import type { SigningContext } from './context';
import type { JudgedFile } from './judge';

/** The highest `(n)` a rename tries before it gives up on a name. */
const MAX_RENAMES = 10_000;

/** Where one accepted file goes: its key, and whether it may replace an object there. */
export interface Placement {
  key: string;
  createOnly: boolean;
}

/** Every key that starts with `base` (`<folder>/<stem> (`), up to the most a rename would try. */
async function keysBeside(ctx: SigningContext, base: string): Promise<Set<string>> {
  const held = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_RENAMES / 1000; page++) {
    const listed = await ctx.access.storage.listPage(base, after);
    for (const object of listed.objects) held.add(object.key);
    if (!listed.truncated) break;
    after = listed.objects.at(-1)!.key;
  }
  return held;
}

/**
 * The first `name (n).ext` beside `judged` that neither the bucket nor this request holds, from one
 * listing per stem and request (`a.jpg` and `a.png` share one).
 */
async function freeName(ctx: SigningContext, judged: JudgedFile): Promise<Placement | FileError> {
  const { prefix } = ctx.caller;
  const base = `${prefix}/${ctx.folder}/${splitExtension(judged.path).stem} (`;
  let listing = ctx.stems.get(base);
  if (!listing) {
    listing = keysBeside(ctx, base);
    ctx.stems.set(base, listing);
  }
  const held = await listing;
  for (let n = 1; n <= MAX_RENAMES; n++) {
    const built = buildKey(prefix, ctx.folder, renamedPath(judged.path, n));
    if ('code' in built) return refusal(judged.file.path, built.code, built.message);
    if (!held.has(built.key) && !ctx.taken.has(built.key)) return { key: built.key, createOnly: true };
  }
  return refusal(
    judged.file.path,
    'exists',
    `Every name from \`(1)\` to \`(${MAX_RENAMES})\` beside \`${judged.key}\` is taken`,
  );
}

/** Where a file goes under its conflict choice: its own key, create-only; replacing it (where allowed); or a free name. */
async function placement(ctx: SigningContext, judged: JudgedFile): Promise<Placement | FileError> {
  const { conflict } = judged.file;
  if (conflict === 'rename') return freeName(ctx, judged);
  if (conflict !== 'overwrite') return { key: judged.key, createOnly: true };
  if (ctx.caller.overwrite ?? ctx.deps.config.policy.overwrite) return { key: judged.key, createOnly: false };
  return refusal(
    judged.file.path,
    'overwrite-not-allowed',
    `The signer's policy does not let you replace \`${judged.key}\`; skip the file or upload it under another name`,
  );
}

/**
 * Step 2: the key each accepted file takes, or why it has none. A multipart upload that may not replace
 * is refused here when its key is held: S3 has no create-only completion, so the signer looks first.
 */
export async function place(ctx: SigningContext, judged: JudgedFile): Promise<Placement | FileError> {
  const placed = await placement(ctx, judged);
  if ('status' in placed) return placed;
  if (judged.multipart && placed.createOnly && (await ctx.access.storage.exists(placed.key))) {
    return refusal(judged.file.path, 'exists', `An object already exists at \`${placed.key}\``);
  }
  ctx.taken.add(placed.key);
  return placed;
}
