import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import type { Policy } from '@hoist/protocol';
import { bytes, makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// The policy the engine's signer client keeps between a caller's check and its batch, against a real
// signer with a daily quota (the policy says what is left of it).

const s3 = inject('s3');
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, { quotas: { filesPerDay: 50 } });
});
afterAll(async () => signer.close());

const policiesAsked = () => signer.logs.filter((line) => line.route === '/v1/policy').length;
const filesLeft = (policy: Policy) => policy.quotas!.find((q) => q.name === 'filesPerDay')!.remaining;

describe("the engine's signer client", () => {
  it('asks once for the policy a push checks and its batch starts with, and again once it has signed', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-policy-'));
    const engine = new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir });
    try {
      const before = policiesAsked();
      const checked = await engine.signer.policy();
      const report = await engine.batch(await makeFolder({ 'a.jpg': bytes(100), 'b.jpg': bytes(200) })).run();
      expect(report.counts.uploaded).toBe(2);
      expect(policiesAsked() - before).toBe(1);
      // Signing used two files of the day's quota: the next policy is the signer's, not the one kept.
      const after = await engine.signer.policy();
      expect(policiesAsked() - before).toBe(2);
      expect(filesLeft(after)).toBe(filesLeft(checked) - 2);
    } finally {
      engine.close();
    }
  });
});
