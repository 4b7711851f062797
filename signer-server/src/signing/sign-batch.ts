import { refusal, type FileError, type FileRequest, type FileResult } from '@hoist/protocol';
import type { SigningContext } from './context';
import { judge, type JudgedFile } from './judge';
import { place, type Placement } from './place';
import { presign } from './presign';

/** A file past the first two steps: accepted by the policy, with the key it takes. */
interface PlacedFile {
  judged: JudgedFile;
  placement: Placement;
}

/** The file judged and, when accepted, placed; or why it goes no further. */
async function judgedAndPlaced(ctx: SigningContext, entry: JudgedFile | FileError): Promise<PlacedFile | FileError> {
  if ('status' in entry) return entry;
  const placement = await place(ctx, entry);
  return 'status' in placement ? placement : { judged: entry, placement };
}

/**
 * Signs one request's files in four named steps: judge each file by the policy, place it (its key under
 * its conflict choice), take quota for the placed files only, presign. One result per file, in order.
 */
export async function signBatch(ctx: SigningContext, files: readonly FileRequest[]): Promise<FileResult[]> {
  const placed: (PlacedFile | FileError)[] = [];
  for (const entry of judge(ctx, files)) placed.push(await judgedAndPlaced(ctx, entry));
  const counted = placed.filter((entry): entry is PlacedFile => !('status' in entry));
  const refusals = await ctx.deps.quotas.take(
    ctx.caller,
    { id: ctx.batch, folder: ctx.folder },
    counted.map(({ judged }) => judged.file),
  );
  const overQuota = new Map(counted.map((entry, i) => [entry, refusals[i]]));
  const now = new Date();
  const results: FileResult[] = [];
  for (const entry of placed) {
    if ('status' in entry) {
      results.push(entry);
      continue;
    }
    const over = overQuota.get(entry);
    results.push(
      over
        ? refusal(entry.judged.file.path, over.code, over.message)
        : await presign(ctx, entry.judged, entry.placement, now),
    );
  }
  return results;
}
