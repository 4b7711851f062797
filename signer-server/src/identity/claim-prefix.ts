import { isWithinPrefix } from '@hoist/protocol';

/** The characters a prefix segment keeps as they are; any other is written `~XX` (its UTF-8 bytes in hex). */
const PLAIN = /[A-Za-z0-9._-]/u;
const PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_.-]*)\}$/u;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/u;
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/u;

/**
 * One claim value as one prefix segment, reversibly: letters, digits, `.`, `_` and `-` stay, anything
 * else (and a leading `.`, `_` or `-`) becomes `~XX`, so `auth0|5f3a` is `auth0~7C5f3a` and no two
 * values share a segment.
 */
export function claimSegment(value: string): string {
  let out = '';
  for (const char of value) {
    const keep = PLAIN.test(char) && !(out === '' && /[._-]/u.test(char));
    out += keep
      ? char
      : [...new TextEncoder().encode(char)].map((b) => `~${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** A prefix template (`users/{sub}`) checked: segments or whole-segment claim placeholders, one of them `userClaim`. */
export function templateProblem(template: string, userClaim: string): string | undefined {
  const segments = template.split('/');
  for (const segment of segments) {
    if (!PLACEHOLDER.test(segment) && !SEGMENT.test(segment)) {
      return `segment \`${segment}\` is neither a folder name (letters, digits, \`.\`, \`_\`, \`-\`) nor a whole \`{claim}\``;
    }
  }
  if (!segments.includes(`{${userClaim}}`)) {
    return `it must hold \`{${userClaim}}\`, the claim that names the user, so no two users share a prefix`;
  }
  return undefined;
}

/** The fixed folders of a template before its first placeholder: `users` for `users/{sub}`, empty for `{sub}`. */
export function templateRoot(template: string): string {
  const segments = template.split('/');
  const first = segments.findIndex((segment) => PLACEHOLDER.test(segment));
  return segments.slice(0, first).join('/');
}

/** Whether a static user's prefix could meet a templated one: it nests with the template's fixed root. */
export function meetsTemplate(prefix: string, template: string): boolean {
  const root = templateRoot(template);
  return root === '' || isWithinPrefix(prefix, root) || isWithinPrefix(root, prefix);
}

/** A token's prefix from the template and its claims, or why the claims cannot make one. */
export function prefixFromTemplate(
  template: string,
  claims: Record<string, unknown>,
): { prefix: string } | { problem: string } {
  const segments: string[] = [];
  for (const segment of template.split('/')) {
    const placeholder = PLACEHOLDER.exec(segment);
    if (!placeholder) {
      segments.push(segment);
      continue;
    }
    const value = claims[placeholder[1]!];
    if (typeof value !== 'string' || value === '') {
      return { problem: `the token has no \`${placeholder[1]}\` claim to make its prefix from` };
    }
    segments.push(claimSegment(value));
  }
  return { prefix: segments.join('/') };
}

/**
 * The prefix of a user whose folder a claim names: the claim's folder (checked like a configured prefix)
 * with the user's own segment inside it, `@` and the user claim (`teams/yara/@auth0~7C5f3a`). No folder
 * segment may start with `@`, so two users' prefixes never nest, whatever folders their claims name.
 */
export function prefixFromClaim(
  claim: string,
  userClaim: string,
  claims: Record<string, unknown>,
): { prefix: string } | { problem: string } {
  const value = claims[claim];
  if (typeof value !== 'string' || !PREFIX.test(value)) {
    return {
      problem: `the token's \`${claim}\` claim is no prefix (segments of letters, digits, \`.\`, \`_\`, \`-\`)`,
    };
  }
  const user = claims[userClaim];
  if (typeof user !== 'string' || user === '') {
    return { problem: `the token has no \`${userClaim}\` claim to make its prefix from` };
  }
  return { prefix: `${value}/@${claimSegment(user)}` };
}
