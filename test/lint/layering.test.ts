import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Each case lints a small fixture as if it stood at `path`. A rule that stops firing fails its case,
// and the clean cases prove the rules do not simply forbid everything.
const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

const importFs = "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n";
const importBareFs = "import { readFileSync } from 'fs';\nexport const read = readFileSync;\n";
const importElectron = "import { app } from 'electron';\nexport const quit = (): void => app.quit();\n";
const pure = 'export const twice = (n: number): number => n * 2;\n';

describe('layering lint rules', () => {
  it.each([
    ['src/shared/fixture.ts', importFs],
    ['src/shared/fixture.ts', importBareFs],
    ['src/shared/fixture.ts', importElectron],
    ['src/shared/fixture.ts', 'export const here = (): string => document.title;\n'],
    ['src/shared/fixture.ts', 'export const env = (): unknown => process.env;\n'],
    ['src/engine/fixture.ts', importElectron],
    ['src/engine/batch/fixture.ts', importElectron],
    ['src/engine/batch/fixture.ts', "import { main } from '../../cli/main';\nexport const run = main;\n"],
    ['src/engine/pipeline/fixture.ts', "import { Batch } from '../batch/batch';\nexport const B = Batch;\n"],
    ['src/engine/run/fixture.ts', "import { feedBatch } from '../pipeline/feed';\nexport const f = feedBatch;\n"],
    ['src/engine/upload/fixture.ts', "import { UploadEngine } from '..';\nexport const E = UploadEngine;\n"],
    [
      'src/engine/transfer/fixture.ts',
      "import { HashPool } from '../hashing/hash-pool';\nexport const H = HashPool;\n",
    ],
    ['src/engine/transfer/fixture.ts', importElectron],
    [
      'src/engine/fixture.ts',
      "import { HoistService } from '../main/desktop/hoist-service';\nexport const S = HoistService;\n",
    ],
    ['src/shared/fixture.ts', "import { UploadEngine } from '../engine';\nexport const E = UploadEngine;\n"],
    ['src/sign-in/fixture.ts', importElectron],
    ['src/sign-in/fixture.ts', "import { main } from '../cli/main';\nexport const run = main;\n"],
    [
      'src/embedded/fixture.ts',
      "import { HoistService } from '../main/desktop/hoist-service';\nexport const S = HoistService;\n",
    ],
    ['src/main/desktop/fixture.ts', importElectron],
    ['src/cli/fixture.ts', importElectron],
    ['signer-server/src/fixture.ts', importElectron],
    ['src/renderer/fixture.ts', importFs],
    ['src/renderer/fixture.tsx', importBareFs],
    ['src/renderer/fixture.ts', importElectron],
    ['src/preload/fixture.ts', importFs],
    ['protocol/src/fixture.ts', importFs],
    ['protocol/src/fixture.ts', importElectron],
    ['protocol/src/fixture.ts', 'export const here = (): string => document.title;\n'],
    ['protocol/src/fixture.ts', 'export const env = (): unknown => process.env;\n'],
    [
      'protocol/src/fixture.ts',
      "import { loadConfig } from '@hoist/signer-server/config';\nexport const l = loadConfig;\n",
    ],
    ['protocol/src/fixture.ts', "import { UploadEngine } from '../../src/engine';\nexport const E = UploadEngine;\n"],
  ])('refuses what %s may not use', async (path, code) => {
    expect(await layeringErrors(path, code)).not.toEqual([]);
  });

  it.each([
    ['src/shared/fixture.ts', pure],
    ['src/engine/fixture.ts', importFs],
    ['src/engine/upload/fixture.ts', "import { errors } from '../errors';\nexport const e = errors;\n"],
    ['src/engine/batch/fixture.ts', "import { feedBatch } from '../pipeline/feed';\nexport const f = feedBatch;\n"],
    ['src/engine/pipeline/fixture.ts', "import { Journal } from '../run/journal';\nexport const J = Journal;\n"],
    ['src/main/desktop/fixture.ts', importFs],
    ['src/sign-in/fixture.ts', "import { readCaFile } from '../engine';\nexport const r = readCaFile;\n"],
    ['signer-server/src/fixture.ts', importFs],
    ['src/main/fixture.ts', importElectron],
    ['src/preload/fixture.ts', importElectron],
    ['protocol/src/fixture.ts', "import * as z from 'zod';\nexport const S = z.string();\n"],
    ['src/renderer/fixture.ts', 'export const title = (): string => document.title;\n'],
  ])('allows what %s may use', async (path, code) => {
    expect(await layeringErrors(path, code)).toEqual([]);
  });
});
