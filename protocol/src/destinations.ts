import { isWithinPrefix, normaliseRelativePath, type PathRejection } from './keys';

/** Why a destination cannot be used; `message` is written for a person. */
export interface DestinationRejection {
  code: 'invalid-destination' | 'destination-not-allowed' | 'destination-required';
  message: string;
}

const show = (text: string): string => JSON.stringify(text);

/**
 * Normalises a destination folder inside the caller's prefix (`clients/acme/2026-12`, one trailing `/`
 * allowed) under the same rules as a file's path, or says why it cannot be one.
 */
export function normaliseDestination(raw: string): { destination: string } | DestinationRejection {
  const trimmed = raw.replace(/\/$/u, '');
  const normalised: { path: string } | PathRejection = normaliseRelativePath(trimmed);
  if ('code' in normalised) {
    return {
      code: 'invalid-destination',
      message: `Destination ${show(raw)} is not a folder inside your prefix: ${normalised.message.replace(/^Path /u, 'path ')}`,
    };
  }
  return { destination: normalised.path };
}

/**
 * Decides the folder a batch writes to: its destination (normalised, and inside one of `allowed` when the
 * caller is restricted), or the batch's own folder when it names none and the caller may use one.
 */
export function resolveFolder(
  batch: string,
  destination: string | undefined,
  allowed: readonly string[] | undefined,
): { folder: string } | DestinationRejection {
  if (destination === undefined) {
    if (!allowed) return { folder: batch };
    return {
      code: 'destination-required',
      message: `Name a destination: you may upload only into ${allowed.map((a) => `\`${a}\``).join(', ')}`,
    };
  }
  const normalised = normaliseDestination(destination);
  if ('code' in normalised) return normalised;
  if (allowed && !allowed.some((root) => isWithinPrefix(normalised.destination, root))) {
    return {
      code: 'destination-not-allowed',
      message: `Destination \`${normalised.destination}\` is not one you may upload into; allowed: ${allowed.map((a) => `\`${a}\``).join(', ')}`,
    };
  }
  return { folder: normalised.destination };
}

const EXTENSION = /^(.+?)(\.[^.]*)?$/u;

/** A path split before its extension: `shoot/a.png` → `shoot/a` and `.png`; a dot file (`.env`) has none. */
export function splitExtension(path: string): { stem: string; extension: string } {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (name.startsWith('.') && !name.slice(1).includes('.')) return { stem: path, extension: '' };
  const [, stem, extension = ''] = EXTENSION.exec(name)!;
  return { stem: `${path.slice(0, slash + 1)}${stem}`, extension };
}

/** The `n`th free-name candidate for `path`, as file managers name copies: `shoot/a.png` → `shoot/a (1).png`. */
export function renamedPath(path: string, n: number): string {
  const { stem, extension } = splitExtension(path);
  return `${stem} (${n})${extension}`;
}

/** The page that shows the folder `path` (`users/ann/trip/`): the policy's `browseUrl` with the path put in, URL-encoded. */
export function browsePage(browseUrl: string, path: string): string {
  return browseUrl.replaceAll('{path}', encodeURIComponent(path));
}
