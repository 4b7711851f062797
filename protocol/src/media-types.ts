/**
 * Media types for the files cameras and video rigs write, which the general tables (mime-types) do not
 * know or file under `application/`: each raw format by the customary `image/x-<maker>-<ext>` name, XMP
 * sidecars, and professional video containers. With them an `["image/*", "video/*"]` policy accepts a
 * photographer's whole card. Extensions in lower case, without the dot.
 */
export const CAMERA_MEDIA_TYPES: Readonly<Record<string, string>> = {
  // Raw photos, by maker.
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  crw: 'image/x-canon-crw',
  nef: 'image/x-nikon-nef',
  nrw: 'image/x-nikon-nrw',
  arw: 'image/x-sony-arw',
  sr2: 'image/x-sony-sr2',
  srf: 'image/x-sony-srf',
  raf: 'image/x-fuji-raf',
  orf: 'image/x-olympus-orf',
  rw2: 'image/x-panasonic-rw2',
  pef: 'image/x-pentax-pef',
  rwl: 'image/x-leica-rwl',
  dng: 'image/x-adobe-dng',
  '3fr': 'image/x-hasselblad-3fr',
  fff: 'image/x-hasselblad-fff',
  iiq: 'image/x-phaseone-iiq',
  x3f: 'image/x-sigma-x3f',
  srw: 'image/x-samsung-srw',
  // Modern still formats (registered types).
  heic: 'image/heic',
  heif: 'image/heif',
  hif: 'image/heif',
  avif: 'image/avif',
  // Sidecars that travel with raw files: edits (XMP) and thumbnails.
  xmp: 'image/x-xmp-sidecar',
  thm: 'image/jpeg',
  // Professional and camera video.
  braw: 'video/x-blackmagic-raw',
  r3d: 'video/x-red-r3d',
  mxf: 'video/mxf',
  mov: 'video/quicktime',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mts: 'video/mp2t',
  m2ts: 'video/mp2t',
  lrv: 'video/mp4',
  insv: 'video/mp4',
  '3gp': 'video/3gpp',
};

/** The lower-case extension of a path's last segment (`cr3` for `shoot/IMG_0001.CR3`), or '' when it has none. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The media type the camera table gives a path, or undefined when its extension is not a camera format. */
export function cameraMediaTypeOf(path: string): string | undefined {
  return CAMERA_MEDIA_TYPES[extensionOf(path)];
}
