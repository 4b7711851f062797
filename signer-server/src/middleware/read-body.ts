import type { Context } from 'koa';
import type { z } from 'zod';
import { HttpError } from '../errors';

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
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
  const result = schema.safeParse(ctx.request.body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field =
    issue?.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('') || 'body';
  const got = issue && 'input' in issue ? `, got \`${describe(issue.input)}\`` : '';
  throw new HttpError(400, 'invalid-request', `Invalid \`${field}\`: ${issue?.message ?? 'invalid'}${got}`, field);
}
