import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { UploadEngine } from '../../src/engine';
import type { BatchReport } from '../../src/shared/outcome';
import { objectMd5 } from './bucket';
import type { FaultRule } from './fault-proxy';
import { recordFault } from './fault-ledger';
import { md5Hex } from './hash';

/** A fresh engine with quick retries, for tests that inject faults. */
export async function faultEngine(
  signerUrl: string,
  token: string,
  extra: Partial<ConstructorParameters<typeof UploadEngine>[0]> = {},
): Promise<UploadEngine> {
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-state-'));
  return new UploadEngine({
    signerUrl,
    token,
    stateDir,
    concurrency: 4,
    retry: { retries: 5, minDelayMs: 20, maxDelayMs: 100 },
    stallMs: 2000,
    ...extra,
  });
}

/** What a batch did to its files, checked against the bucket. */
export interface Damage {
  /** Files with no outcome, or failed or skipped without a reason. */
  lost: string[];
  /** Files reported uploaded whose object differs from the source, or failed files that left an object. */
  corrupted: string[];
}

async function exists(admin: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks every source file against the report and the bucket: each must be uploaded with an object whose
 * MD5 is the source's, or failed or skipped with a reason and no object left behind.
 */
export async function assessDamage(
  admin: S3Client,
  bucket: string,
  report: BatchReport,
  sources: Record<string, Buffer>,
): Promise<Damage> {
  const byPath = new Map([...report.files].map((f) => [f.path, f]));
  const damage: Damage = { lost: [], corrupted: [] };
  for (const [path, body] of Object.entries(sources)) {
    const outcome = byPath.get(path);
    if (!outcome || (outcome.status !== 'uploaded' && !outcome.reason)) {
      damage.lost.push(path);
    } else if (outcome.status === 'uploaded') {
      const md5 = await objectMd5(admin, bucket, outcome.key!).catch(() => undefined);
      if (md5 !== md5Hex(body)) damage.corrupted.push(path);
    } else if (outcome.key && (await exists(admin, bucket, outcome.key))) {
      damage.corrupted.push(path);
    }
  }
  return damage;
}

/** Asserts nothing was lost or corrupted, and records the fault's row for `npm run test:faults`. */
export async function expectNothingLost(
  fault: string,
  counts: { injected: number; filesAffected: number },
  admin: S3Client,
  bucket: string,
  report: BatchReport,
  sources: Record<string, Buffer>,
): Promise<void> {
  const damage = await assessDamage(admin, bucket, report, sources);
  recordFault({ fault, ...counts, lost: damage.lost.length, corrupted: damage.corrupted.length });
  expect(counts.injected, `${fault} was never injected`).toBeGreaterThan(0);
  expect(damage).toEqual({ lost: [], corrupted: [] });
}

/** A seeded pseudo-random generator (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts the faults a proxy rule injects and the distinct objects (URL paths) they hit. */
export function countFaults(rule: FaultRule): { rule: FaultRule; injected: () => number; affected: () => number } {
  let injected = 0;
  const keys = new Set<string>();
  return {
    rule: (req, index, res) => {
      const action = rule(req, index, res);
      if (action.kind !== 'pass') {
        injected += 1;
        keys.add((req.url ?? '').split('?')[0]!);
      }
      return action;
    },
    injected: () => injected,
    affected: () => keys.size,
  };
}
