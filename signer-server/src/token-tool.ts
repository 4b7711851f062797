import { randomBytes } from 'node:crypto';
import { hashToken } from './auth';
import type { UserConfig } from './config';

/** A new random token (32 bytes, 256 bits, base64url) with a prefix that says what it is when it leaks. */
export function newToken(): string {
  return `hoist_${randomBytes(32).toString('base64url')}`;
}

/** The config entry of a user with `token`: the hash only, never the token. */
export function userEntry(token: string, user: { id: string; prefix: string }): UserConfig {
  return { id: user.id, tokenSha256: hashToken(token), prefix: user.prefix };
}

/** A token as read from standard input: one trailing newline (as `echo` and editors add) is not part of it. */
export function tokenFromInput(text: string): string {
  return text.replace(/\r?\n$/u, '');
}

/** The configured user whose token is `token`, if any. */
export function userOfToken(token: string, users: readonly UserConfig[]): UserConfig | undefined {
  const hash = hashToken(token);
  return users.find((user) => user.tokenSha256 === hash);
}
