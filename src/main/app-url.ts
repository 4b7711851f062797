/** The scheme the window's own pages load from, instead of `file://`. */
export const APP_SCHEME = 'app';
/** The host of the app's pages: `app://hoist/`. */
export const APP_HOST = 'hoist';
/** The window's start page. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** True for URLs of the app's own pages (parsed, so `app://hoist.evil/` does not pass). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
