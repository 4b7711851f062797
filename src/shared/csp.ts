/**
 * The window's Content-Security-Policy: only the app's own scripts and styles, no inline code, no
 * network but the app itself, no frames. index.html carries the same policy (minus what only a header
 * can say) in a meta tag.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
