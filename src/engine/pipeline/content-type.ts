import { lookup } from 'mime-types';
import { cameraMediaTypeOf } from '@hoist/protocol';

/**
 * The media type for a file name by its extension: the camera table first (raw photos, sidecars, pro
 * video), then the general one; `application/octet-stream` when neither knows it.
 */
export function contentTypeOf(path: string): string {
  const type = cameraMediaTypeOf(path) ?? lookup(path);
  return type ? type.toLowerCase() : 'application/octet-stream';
}
