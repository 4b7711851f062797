import { createHash } from 'node:crypto';

/** The base64 MD5 of `body`, as Content-MD5 wants it. */
export const md5Base64 = (body: Buffer | string): string => createHash('md5').update(body).digest('base64');

/** The hex MD5 of `body`, as a single-PUT ETag carries it. */
export const md5Hex = (body: Buffer | string): string => createHash('md5').update(body).digest('hex');
