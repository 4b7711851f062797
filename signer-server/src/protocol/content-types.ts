const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/u;

/** True when `type` is a bare `type/subtype` media type in lower case, with no parameters. */
export function isMediaType(type: string): boolean {
  return MEDIA_TYPE.test(type);
}

/** True when `type` matches one of `patterns` (`image/png`, `image/*` or `*\/*`). */
export function matchesContentType(type: string, patterns: readonly string[]): boolean {
  const [major] = type.split('/');
  return patterns.some((pattern) => pattern === '*/*' || pattern === type || pattern === `${major}/*`);
}
