/** The most bytes S3 allows in an object key. */
export const MAX_KEY_BYTES = 1024;

/** Why a client path cannot become a key; `message` is written for a person. */
export interface PathRejection {
  code: 'invalid-path';
  message: string;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Invisible, blank or reordering characters: a name that shows as `photo.png` but is `gpj.otohp` or
// `pho\u200bto.png`; a space other than U+0020 (NBSP), a line or paragraph separator, the blank Braille cell.
const INVISIBLE =
  /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Noncharacter_Code_Point}\p{Zl}\p{Zp}\u2800]|(?! )\p{Zs}/u;
// With the `u` flag a surrogate matches only when it is not half of a pair.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
const DRIVE = /^[A-Za-z]:(\/|$)/u;
const SLASH_LIKE = /[/\\\u2044\u2215\u29f8\u29f9\ufe68\uff0f\uff3c]/u;
// Characters Windows does not allow in a name; `:` also opens NTFS streams (`a.png::$DATA`).
const WINDOWS_CHARS = /[<>:"|?*]/u;
// Names Windows reserves for devices, with or without an extension (`NUL.txt` is the device too).
const WINDOWS_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/iu;
const TRAILING_DOTS_AND_SPACES = /[. ]+$/u;
// Printable ASCII: no normalisation changes it, it holds nothing invisible, no control and no surrogate,
// and it folds by lower-casing alone. Most names are; they skip the Unicode work below.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;

const reject = (message: string): PathRejection => ({ code: 'invalid-path', message });
const show = (text: string): string => JSON.stringify(text);

function rejectSegment(segment: string, path: string, ascii: boolean): PathRejection | undefined {
  if (segment === '') return reject(`Path ${show(path)} has an empty segment`);
  // Compatibility forms catch look-alikes such as "．．" (fullwidth dots) or "∕" (division slash).
  const folded = ascii ? segment : segment.normalize('NFKC');
  // Windows drops trailing dots and spaces, so `.. ` and `...` become `..` or nothing there.
  if (folded.replace(TRAILING_DOTS_AND_SPACES, '') === '') {
    return reject(`Path ${show(path)} has a ${show(segment)} segment, which means this or the parent folder`);
  }
  if (SLASH_LIKE.test(folded)) return reject(`Path ${show(path)} has a character that looks like a slash`);
  const windowsChar = WINDOWS_CHARS.exec(folded);
  if (windowsChar) {
    return reject(`Path ${show(path)} has \`${windowsChar[0]}\`, which Windows does not allow in a name`);
  }
  if (WINDOWS_NAMES.test(folded.replace(TRAILING_DOTS_AND_SPACES, ''))) {
    return reject(`Path ${show(path)} has the segment ${show(segment)}, a device name Windows reserves`);
  }
  if (TRAILING_DOTS_AND_SPACES.test(folded)) {
    return reject(`Path ${show(path)} has a name ending in a dot or a space (${show(segment)}), which Windows drops`);
  }
  return undefined;
}

/** Normalises a client's relative path (NFC, `\` to `/`) or says why it can never be a key. */
export function normaliseRelativePath(raw: string): { path: string } | PathRejection {
  const ascii = PRINTABLE_ASCII.test(raw);
  if (!ascii && LONE_SURROGATE.test(raw)) {
    return reject(`Path ${show(raw.replace(LONE_SURROGATES, '\ufffd'))} is not valid Unicode (a lone surrogate)`);
  }
  const path = (ascii ? raw : raw.normalize('NFC')).replaceAll('\\', '/');
  if (path === '') return reject('Path is empty');
  if (!ascii && CONTROL.test(path)) return reject(`Path ${show(raw)} has a control character`);
  const invisible = ascii ? null : INVISIBLE.exec(path);
  if (invisible) {
    const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return reject(`Path ${show(raw)} has the invisible, blank or reordering character U+${code}`);
  }
  if (path.startsWith('/') || DRIVE.test(path)) {
    return reject(`Path ${show(raw)} is absolute; expected a path relative to the folder`);
  }
  for (const segment of path.split('/')) {
    const rejection = rejectSegment(segment, raw, ascii);
    if (rejection) return rejection;
  }
  return { path };
}

/**
 * The form two normalised paths share when a case-insensitive or compatibility-folding file system
 * (Windows, macOS by default) would give them one name: NFKC, case folded, trailing dots and spaces dropped.
 */
export function collisionKey(path: string): string {
  if (PRINTABLE_ASCII.test(path)) {
    const lower = path.toLowerCase();
    return /[. ](\/|$)/u.test(lower)
      ? lower
          .split('/')
          .map((s) => s.replace(TRAILING_DOTS_AND_SPACES, ''))
          .join('/')
      : lower;
  }
  return path
    .split('/')
    .map((s) => s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(TRAILING_DOTS_AND_SPACES, ''))
    .join('/');
}

/** One folder of a batch: its path as first seen, and the names in it, by their folded form. */
interface Folder {
  path: string;
  /** Folded name → name while the folder is open; packed, the names joined by `/` (which no name holds). */
  names: Map<string, string> | string;
  /** The next folder whose path folds to the same form (`Photos` after `photos`). */
  next: Folder | undefined;
}

/** Names kept open in maps at most, by default; past it the folders least recently added to are packed. */
const OPEN_NAMES = 20_000;

/**
 * The paths of one batch so far, to tell when a new one duplicates an earlier one, exactly or by folding.
 * Two paths fold alike only when their folders do and their names do, so names are kept per folder: a
 * folder the batch has moved on from is packed into one string (a byte or so per name, not a map entry
 * and a path), and unpacked if a path comes back to it. Memory grows with the folders and their names'
 * bytes, not with a map entry per file.
 */
export class DuplicateNames {
  /** Folders by their folded path, each heading a chain of the folders that fold alike. */
  readonly #folders = new Map<string, Folder>();
  /** The open folders, least recently used first. */
  readonly #open = new Set<Folder>();
  readonly #maxOpenNames: number;
  #openNames = 0;
  /** The folder a path was last added to, and the head of its chain: the next path is most likely there too. */
  #recent: Folder | undefined;
  #recentHead: Folder | undefined;

  /** `openNames`: how many names stay in maps before the least recently used folders are packed. */
  constructor(options: { openNames?: number } = {}) {
    this.#maxOpenNames = options.openNames ?? OPEN_NAMES;
  }

  /** Records a normalised `path`; returns why it duplicates an earlier path, or undefined when it does not. */
  check(path: string): string | undefined {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    const folded = collisionKey(name);
    const foldedDir = this.#recent?.path === dir ? undefined : dir && collisionKey(dir);
    const head = foldedDir === undefined ? this.#recentHead : this.#folders.get(foldedDir);
    let folder: Folder | undefined;
    let tail: Folder | undefined;
    for (let each = head; each; each = each.next) {
      const first = this.#namesOf(each).get(folded);
      if (first !== undefined) return duplicateReason(each.path ? `${each.path}/${first}` : first, path);
      if (each.path === dir) folder = each;
      tail = each;
    }
    if (!folder) {
      folder = { path: dir, names: new Map(), next: undefined };
      if (tail) tail.next = folder;
      else this.#folders.set(foldedDir!, folder);
      this.#open.add(folder);
    }
    this.#namesOf(folder).set(folded, name);
    this.#openNames += 1;
    this.#recent = folder;
    this.#recentHead = head ?? folder;
    this.#packLeastRecent();
    return undefined;
  }

  /** The folder's names, unpacked when it was packed; it becomes the most recently used. */
  #namesOf(folder: Folder): Map<string, string> {
    if (typeof folder.names !== 'string') {
      if (this.#recent !== folder) {
        this.#open.delete(folder);
        this.#open.add(folder);
      }
      return folder.names;
    }
    const names = new Map<string, string>();
    for (const name of folder.names.split('/')) names.set(collisionKey(name), name);
    folder.names = names;
    this.#openNames += names.size;
    this.#open.add(folder);
    return names;
  }

  /** Packs the folders least recently used until the names in maps are within the bound. */
  #packLeastRecent(): void {
    for (const folder of this.#open) {
      if (this.#openNames <= this.#maxOpenNames || folder === this.#recent) return;
      this.#open.delete(folder);
      const names = folder.names as Map<string, string>;
      this.#openNames -= names.size;
      folder.names = [...names.values()].join('/');
    }
  }
}

/** Why `path` duplicates `first`, the earlier path it folds alike with. */
function duplicateReason(first: string, path: string): string {
  return first === path
    ? `Path ${show(path)} appears twice in this batch`
    : `Paths ${show(first)} and ${show(path)} differ only in case or character forms; Windows and macOS would make them one file`;
}

/** True when `prefix` is `owner` itself or lies inside it as whole segments (`a/b` inside `a`, not `ab`). */
export function isWithinPrefix(prefix: string, owner: string): boolean {
  return prefix === owner || prefix.startsWith(`${owner}/`);
}

/** The bytes `text` takes in UTF-8, as `TextEncoder` counts them (a lone surrogate as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: one code point past U+FFFF.
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Builds `<prefix>/<folder>/<path>` from a normalised path, or rejects it when the key would pass 1024 bytes. */
export function buildKey(prefix: string, folder: string, path: string): { key: string } | PathRejection {
  const key = `${prefix}/${folder}/${path}`;
  const bytes = utf8Length(key);
  if (bytes > MAX_KEY_BYTES) {
    return reject(`Key for ${show(path)} would be ${bytes} bytes; S3 allows ${MAX_KEY_BYTES}`);
  }
  return { key };
}

/**
 * Checks that `key` is one the signer could have built for `prefix` (`<prefix>/<folder>/<path>`, every
 * segment valid), so a client-named key in a link request can never point elsewhere.
 */
export function isOwnedKey(key: string, prefix: string): boolean {
  if (!key.startsWith(`${prefix}/`)) return false;
  const rest = key.slice(prefix.length + 1);
  const normalised = normaliseRelativePath(rest);
  return rest.includes('/') && !('code' in normalised) && normalised.path === rest && utf8Length(key) <= MAX_KEY_BYTES;
}
