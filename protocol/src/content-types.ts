import { extensionOf } from './media-types';

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/u;

/**
 * Types a browser runs or renders as a document when it opens them from the bucket's origin: HTML,
 * SVG and every XML type (which can carry XHTML or XSLT), scripts, Flash. A wildcard never admits them.
 */
const ACTIVE = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'text/ecmascript',
  'text/jscript',
  'text/vbscript',
  'application/wasm',
  'application/x-shockwave-flash',
]);

/** Types a view link may open inline: a browser shows them as media and runs nothing from them. */
const INLINE_SAFE = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
]);

/**
 * What a signer allows when its config names no types: every family of files people keep in folders.
 * Wildcards never match an active type, so this admits no HTML, SVG, XML or script; `message/*` (mail,
 * which browsers may render as MHTML) and `multipart/*` are left out.
 */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = [
  'image/*',
  'video/*',
  'audio/*',
  'text/*',
  'font/*',
  'model/*',
  'application/*',
];

/** True when `type` is a bare `type/subtype` media type in lower case, with no parameters. */
export function isMediaType(type: string): boolean {
  return MEDIA_TYPE.test(type);
}

/** Script subtypes under any name a browser has run: `x-javascript`, `javascript1.5`, `livescript`, … */
const SCRIPT_SUBTYPE = /^(x-)?(javascript|ecmascript|jscript|livescript|vbscript)(\d\.\d)?$/u;
/** XML subtypes under any major type: `model/xml`, `application/xml-dtd`, `text/xml-external-parsed-entity`. */
const XML_SUBTYPE = /^(xml|xml-dtd|xml-external-parsed-entity|.*\+xml)$/u;

/** True when a browser could run script from `type` (HTML, SVG, XML, JavaScript and the like). */
export function isActiveType(type: string): boolean {
  const subtype = type.slice(type.indexOf('/') + 1);
  return ACTIVE.has(type) || SCRIPT_SUBTYPE.test(subtype) || XML_SUBTYPE.test(subtype);
}

/** True when a view link may show `type` inline; anything else is served as an attachment. */
export function isInlineSafe(type: string): boolean {
  return INLINE_SAFE.has(type);
}

/**
 * True when `type` matches one of `patterns` (`image/png`, `image/*` or `*\/*`), or the file's `path` has
 * an extension a pattern names (`.cr3`). An active type matches only a pattern that names it exactly
 * (`image/*` does not admit `image/svg+xml`, and no extension admits it).
 */
export function matchesContentType(type: string, patterns: readonly string[], path = ''): boolean {
  if (patterns.includes(type)) return true;
  if (isActiveType(type)) return false;
  const extension = extensionOf(path);
  if (extension && patterns.includes(`.${extension}`)) return true;
  const [major] = type.split('/');
  return patterns.some((pattern) => pattern === '*/*' || pattern === `${major}/*`);
}
