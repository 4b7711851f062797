import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';

const s3 = inject('s3');
const EMPTY_MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';

// The sign route runs four steps in order: judge, place, take quota for placed files only, presign. A
// file refused by the policy or by its placement never uses up quota.
describe('the steps of POST /v1/batches/sign', () => {
  let signer: TestSigner;
  const remaining = async (): Promise<number> =>
    (await callSigner(signer.url, signer.tokens.alice, 'GET', '/v1/policy')).json.quotas.find(
      (q: { name: string }) => q.name === 'filesPerDay',
    ).remaining;
  const sign = (files: object[]) =>
    callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', { batch: 'steps', files });

  beforeAll(async () => {
    signer = await startTestSigner(s3, { quotas: { filesPerDay: 3 }, policy: { overwrite: false } });
  });
  afterAll(async () => {
    await signer?.close();
  });

  it('takes no quota for files the placement refuses (overwrite not allowed) or the policy refuses', async () => {
    const refused = await sign([
      { path: 'a.txt', size: 0, type: 'text/plain', md5: EMPTY_MD5, conflict: 'overwrite' },
      { path: 'b.txt', size: 0, type: 'text/plain', md5: EMPTY_MD5, conflict: 'overwrite' },
      { path: 'c.txt', size: 0, type: 'text/plain' },
      { path: '../d.txt', size: 0, type: 'text/plain', md5: EMPTY_MD5 },
    ]);
    expect(refused.json.files.map((f: { code: string }) => f.code)).toEqual([
      'overwrite-not-allowed',
      'overwrite-not-allowed',
      'md5-required',
      'invalid-path',
    ]);
    expect(await remaining()).toBe(3);
    const placed = await sign(
      ['e', 'f', 'g', 'h'].map((n) => ({ path: `${n}.txt`, size: 0, type: 'text/plain', md5: EMPTY_MD5 })),
    );
    expect(placed.json.files.map((f: { status: string; code?: string }) => f.code ?? f.status)).toEqual([
      'put',
      'put',
      'put',
      'quota-exceeded',
    ]);
    expect(await remaining()).toBe(0);
  });
});
