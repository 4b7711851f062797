import { lookup } from 'mime-types';

/** The media type for a file name by its extension; `application/octet-stream` when unknown. */
export function contentTypeOf(path: string): string {
  const type = lookup(path);
  return type ? type.toLowerCase() : 'application/octet-stream';
}
