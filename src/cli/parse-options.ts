import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { normaliseDestination } from '@hoist/protocol';
import { CONFLICT_CHOICES, isConflictChoice, type ConflictChoice } from '../shared/conflicts';
import { concurrencyProblem, parseRate } from '../shared/engine-limits';

/** Parses a number of connections for the flag `name`: a whole number in the engine's one range (1 to 256). */
export function parseConnections(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const problem = concurrencyProblem(n, name, value);
    if (problem) throw new InvalidArgumentError(problem);
    return n;
  };
}

/** Parses `--concurrency`: `auto` (the engine finds the level), or a number that pins it. */
export function parseConcurrency(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : parseConnections('--concurrency')(value);
}

/** Parses `--ca-file`: an existing file, so a typo is named before anything starts. */
export function parseCaFile(value: string): string {
  if (!statSync(value, { throwIfNoEntry: false })?.isFile()) {
    throw new InvalidArgumentError(`Expected \`--ca-file\` to be a PEM file, got \`${value}\`, which is not a file`);
  }
  return value;
}

/** Parses `--to`: a folder inside the caller's prefix, under the same rules as a file's path. */
export function parseDestination(value: string): string {
  const normalised = normaliseDestination(value);
  if ('code' in normalised) throw new InvalidArgumentError(normalised.message);
  return normalised.destination;
}

/** Parses `--on-conflict`: skip, overwrite, rename or fail. */
export function parseConflictChoice(value: string): ConflictChoice {
  if (isConflictChoice(value)) return value;
  throw new InvalidArgumentError(
    `Expected \`--on-conflict\` to be one of ${CONFLICT_CHOICES.map((c) => `\`${c}\``).join(', ')}, got \`${value}\``,
  );
}

/** Parses `--bwlimit` like rclone: bytes per second with an optional K, M or G (binary) suffix. */
export function parseBandwidth(value: string): number {
  const bytes = parseRate(value);
  if (bytes === undefined) {
    throw new InvalidArgumentError(
      `Expected \`--bwlimit\` to be at least 1K bytes per second, like \`500K\` or \`10M\`, got \`${value}\``,
    );
  }
  return bytes;
}

/** Collects the `<folders...>` of `push`: each must exist, so a typo is named before anything starts. */
export function parseFolder(value: string, previous: string[] = []): string[] {
  try {
    statSync(value);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'which does not exist' : `which cannot be read (${code})`;
    throw new InvalidArgumentError(`Expected a folder or file to upload, got \`${value}\`, ${why}`);
  }
  return [...previous, value];
}

/** Parses `--report`: its folder must exist, so a typo is named before any byte moves, not after. */
export function parseReport(value: string): string {
  if (!statSync(dirname(resolve(value)), { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidArgumentError(`Expected \`--report\` to be in an existing folder, got \`${value}\``);
  }
  return value;
}

/** Parses `--log-file`: a file (appended to) in an existing folder, never a folder itself. */
export function parseLogFile(value: string): string {
  if (!statSync(dirname(resolve(value)), { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidArgumentError(`Expected \`--log-file\` to be in an existing folder, got \`${value}\``);
  }
  if (statSync(value, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidArgumentError(`Expected \`--log-file\` to be a file, got \`${value}\`, which is a folder`);
  }
  return value;
}

/** Parses `--state-dir`: a folder, or none yet (it is created); a file there is named up front. */
export function parseStateDir(value: string): string {
  if (statSync(value, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new InvalidArgumentError(`Expected \`--state-dir\` to be a folder, got \`${value}\`, which is a file`);
  }
  return value;
}

/**
 * Collects one `--exclude` (or `--ignore`) pattern per flag: a single value each, so a pattern never
 * swallows the folders after it (`--exclude '*.html' ./shoot`).
 */
export function collectPattern(value: string, previous: string[] = []): string[] {
  if (value.trim() === '')
    throw new InvalidArgumentError('Expected a glob pattern such as `*.html` or `drafts/`, got an empty one');
  return [...previous, value];
}
