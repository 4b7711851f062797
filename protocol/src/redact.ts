/** `scheme://user:password@` anywhere in a text (`scheme:/` too, as people mistype it): a URL's credentials. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/{0,2})[^/?#@\s"`]*@/giu;

/** `text` with the user and password of every URL in it replaced by `***`, so a log or a message never shows them. */
export function redactUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
