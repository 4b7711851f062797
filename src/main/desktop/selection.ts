import { dirname, relative, resolve, sep } from 'node:path';

/** What one drop or pick uploads as one batch: a root, and the entries of it that were chosen. */
export interface Selection {
  root: string;
  /** Paths from the root (`/`-separated) of what was chosen; absent when the root itself was. */
  only?: string[];
}

const inside = (path: string, folder: string): boolean => path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/**
 * One batch for all a person dropped or picked at once: one path is its own root (a folder keeps its
 * tree under the batch's folder); several go together under their closest common folder, each folder
 * keeping its name and tree. A path inside another chosen folder is taken once, with that folder.
 */
export function selectionOf(paths: readonly string[]): Selection {
  const resolved = [...new Set(paths.map((path) => resolve(path)))];
  const chosen = resolved.filter((path) => !resolved.some((other) => other !== path && inside(path, other)));
  if (chosen.length === 1) return { root: chosen[0]! };
  let root = dirname(chosen[0]!);
  while (!chosen.every((path) => inside(path, root)) && dirname(root) !== root) root = dirname(root);
  const only = chosen.map((path) => relative(root, path).split(sep).join('/')).sort();
  return { root, only };
}
