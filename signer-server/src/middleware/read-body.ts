import type { Context } from 'koa';
import type * as z from 'zod';
import { HttpError } from '../errors';

const MAX_DEPTH = 32;

/** Short text for a value in an error; objects and arrays by kind, so a hostile value costs nothing. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** How deeply `value` nests, counted without recursion and stopping past `limit`. */
function depthExceeds(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length; depth++) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (item !== null && typeof item === 'object') for (const child of Object.values(item)) next.push(child);
    }
    level = next;
  }
  return false;
}

/** Parses the JSON body with `schema`, or throws a 400 that names the first bad field and its value. */
export function readBody<T extends z.ZodType>(ctx: Context, schema: T): z.infer<T> {
  if (!ctx.is('application/json')) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      `Expected \`Content-Type: application/json\`, got \`${ctx.get('content-type')}\``,
    );
  }
  if (depthExceeds(ctx.request.body, MAX_DEPTH)) {
    throw new HttpError(400, 'too-deeply-nested', `The request body nests deeper than ${MAX_DEPTH} levels`);
  }
  const result = schema.safeParse(ctx.request.body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field =
    issue?.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('') || 'body';
  const got = issue && 'input' in issue ? `, got \`${describe(issue.input)}\`` : '';
  throw new HttpError(400, 'invalid-request', `Invalid \`${field}\`: ${issue?.message ?? 'invalid'}${got}`, field);
}
