import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { hashToken } from '@hoist/signer-server/auth';
import { parseConfig } from '@hoist/signer-server/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretBytes } from '../../signer-server/src/secret';
import { UploadTokens } from '../../signer-server/src/upload-token';
import { recordFault } from '../helpers/fault-ledger';
import { md5Base64, md5Hex } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// One signer, many users: each attack of issue 15 against a running signer on the verifying S3.
// Every case counts its attempts and refusals into the ledger `npm run test:faults` prints.
const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
const README_PLACEHOLDER = '<32+ random characters, the same on every replica>';
let team: TestSigner;
let secret: { key: string; body: Buffer };

/** Records a case and asserts every attempt was refused. */
function refusedAll(abuse: string, by: string, outcomes: boolean[]): void {
  const refused = outcomes.filter(Boolean).length;
  recordFault({ abuse, attempts: outcomes.length, refused, by });
  expect(refused).toBe(outcomes.length);
}

const sign = (s: TestSigner, token: string, batch: string, files: object[]) =>
  callSigner(s.url, token, 'POST', '/v1/batches/sign', { batch, files });
const fileOf = (path: string, body: Buffer, type = 'image/png') => ({
  path,
  size: body.length,
  type,
  md5: md5Base64(body),
});
const put = (file: { url: string; headers: Record<string, string> }, body: Buffer) =>
  fetch(file.url, { method: 'PUT', headers: file.headers, body: new Uint8Array(body) });

beforeAll(async () => {
  // The README's team: one prefix per person under teams/photo, none inside another.
  team = await startTestSigner(s3, {
    prefixes: { alice: 'teams/photo/alice', bob: 'teams/photo/bob' },
    policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
  });
  const body = randomBytes(2048);
  const [file] = (await sign(team, team.tokens.alice, 'b1', [fileOf('b2/secret.png', body)])).json.files;
  expect((await put(file, body)).status).toBe(200);
  secret = { key: file.key, body };
});
afterAll(async () => {
  await team.close();
  admin.destroy();
});

describe('one signer, many users', () => {
  it('never starts with a config that would open a hole', () => {
    const good = randomBytes(32).toString('hex');
    const user = (id: string, prefix: string, token = id) => ({ id, tokenSha256: hashToken(token), prefix });
    const base = { s3: { bucket: 'b-config' }, tokenSecret: good, users: [user('ana', 'teams/photo/ana')] };
    const holes = [
      { ...base, users: [user('lead', 'teams'), user('ana', 'teams/photo/ana')] },
      { ...base, users: [user('ana', 'teams/photo/ana'), user('ana2', 'teams/photo/ana')] },
      { ...base, tokenSecret: README_PLACEHOLDER },
      { ...base, tokenSecret: 'a'.repeat(32) },
      { ...base, users: [user('ana', 'u/ana', 'same'), user('ben', 'u/ben', 'same')] },
      { ...base, users: [user('ana', 'u/ana'), user('ana', 'u/ben', 'other')] },
      { ...base, corsOrigins: ['*'] },
      { ...base, corsOrigins: ['null'] },
      { ...base, host: '0.0.0.0' },
    ];
    const outcomes = holes.map((raw) => {
      try {
        parseConfig(raw);
        return false;
      } catch (error) {
        return !(error as Error).message.includes(good);
      }
    });
    refusedAll(
      'config with nested prefixes, a weak secret, shared ids or tokens, * origins, plain HTTP off loopback',
      'refused at start, no secret in the message',
      outcomes,
    );
  });

  it("gives no user a way to read or overwrite another's object", async () => {
    const bob = team.tokens.bob;
    const forged = randomBytes(64);
    const attempts: (() => Promise<boolean>)[] = [
      // The original attack: a batch id and a path that rebuild another user's key.
      async () => {
        const [f] = (await sign(team, bob, 'alice', [fileOf('b1/b2/secret.png', forged)])).json.files;
        return f.status === 'put' && f.key.startsWith('teams/photo/bob/') && (await put(f, forged)).status === 200;
      },
      async () => (await sign(team, bob, '../alice', [fileOf('b1/b2/secret.png', forged)])).status === 400,
      async () => (await sign(team, bob, 'teams/photo/alice', [fileOf('x.png', forged)])).status === 400,
      async () => {
        const [f] = (await sign(team, bob, 'b1', [fileOf('../../alice/b1/b2/secret.png', forged)])).json.files;
        return f.status === 'error' && f.code === 'invalid-path';
      },
      // Links: none for another's key, however it is spelt.
      ...[
        secret.key,
        `teams/photo/bob/../alice/b1/b2/secret.png`,
        `teams/photo/bob/b1/../../alice/b1/b2/secret.png`,
        `teams/photo/bob/x/..%2f..%2falice/b1/b2/secret.png`,
      ].map((key) => async () => {
        const res = await callSigner(team.url, bob, 'POST', '/v1/links', { keys: [key] });
        // `..%2f` is a literal name inside bob's own prefix, where nothing is: not-found, not alice's object.
        return res.status === 200 && res.json.links[0].status === 'error';
      }),
    ];
    const outcomes = [];
    for (const attempt of attempts) outcomes.push(await attempt());
    const head = await admin.send(new HeadObjectCommand({ Bucket: team.bucket, Key: secret.key }));
    expect(head.ETag).toBe(`"${md5Hex(secret.body)}"`);
    refusedAll("reading or writing another user's object", 'signer (400, per-file error, links forbidden)', outcomes);
  });

  it('hands out no view link before the upload exists, and never in a signing answer', async () => {
    const body = randomBytes(100);
    const { json } = await sign(team, team.tokens.bob, 'b1', [fileOf('later.png', body)]);
    const [file] = json.files;
    expect(Object.keys(file)).not.toContain('viewUrl');
    const before = await callSigner(team.url, team.tokens.bob, 'POST', '/v1/links', { keys: [file.key] });
    expect(before.json.links[0]).toMatchObject({ status: 'error', code: 'not-found' });
    expect((await put(file, body)).status).toBe(200);
    const after = await callSigner(team.url, team.tokens.bob, 'POST', '/v1/links', { keys: [file.key] });
    expect(after.json.links[0]).toMatchObject({ status: 'ok', disposition: 'inline', size: 100 });
    const expires = Date.parse(after.json.links[0].expiresAt) - Date.now();
    expect(expires).toBeGreaterThan(3500_000);
    expect(expires).toBeLessThanOrEqual(3600_000);
    expect(Buffer.from(await (await fetch(after.json.links[0].url)).arrayBuffer())).toEqual(body);
    refusedAll('a view link before the upload', 'signer links: not-found', [before.json.links[0].code === 'not-found']);
  });

  it('refuses multipart tokens forged with a guessed secret or edited encodings', async () => {
    const body = Buffer.alloc(6 * MiB, 7);
    const [plan] = (await sign(team, team.tokens.alice, 'mp', [fileOf('big.bin', body, 'application/octet-stream')]))
      .json.files;
    expect(plan.status).toBe('multipart');
    const [keyId, payload, mac] = plan.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const huge = { ...claims, size: 5 * 1024 ** 3, partSize: 5 * 1024 ** 3 };
    const guessed = [Buffer.from(README_PLACEHOLDER), Buffer.from('a'.repeat(32)), Buffer.alloc(32)];
    const forged = [
      ...guessed.map((guess) => new UploadTokens([guess]).issue(huge)),
      // The same guesses with the real token's key id in front.
      ...guessed.map((guess) => `${keyId}.${new UploadTokens([guess]).issue(huge).split('.').slice(1).join('.')}`),
      `${payload}.${mac}`,
      `${keyId}.${payload}.${mac}!`,
      `${keyId}.${payload}.${mac}=`,
      `${keyId}.${payload}=.${mac}`,
      `${keyId}.${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
    ];
    const outcomes = [];
    for (const token of forged) {
      const res = await callSigner(team.url, team.tokens.alice, 'POST', '/v1/multipart/parts', {
        token,
        parts: [{ partNumber: 1, size: 5 * 1024 ** 3, md5: md5Base64('x') }],
      });
      outcomes.push(res.status === 403 && !JSON.stringify(res.json).includes('http'));
    }
    refusedAll('multipart token forged or re-encoded', 'signer 403', outcomes);
  });

  it('limits failed sign-ins per address before authentication, and logs their address', async () => {
    const guarded = await startTestSigner(s3, { bucket: team.bucket });
    const answers = await Promise.all(
      Array.from({ length: 600 }, (_, i) => callSigner(guarded.url, `guess-${i}`, 'GET', '/v1/policy')),
    );
    const afterLimit = await callSigner(guarded.url, guarded.tokens.alice, 'GET', '/v1/policy');
    await guarded.close();
    const unauthorized = answers.filter((a) => a.status === 401).length;
    expect(unauthorized).toBe(30);
    expect(answers.find((a) => a.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/u);
    // The valid token still works from the locked address (N3): only credentials that fail are refused.
    expect(afterLimit.status).toBe(200);
    const refusedLines = guarded.logs.filter((l) => l.status === 401);
    expect(refusedLines).toHaveLength(30);
    expect(refusedLines.every((l) => typeof l.address === 'string' && /127\.0\.0\.1/u.test(l.address))).toBe(true);
    refusedAll(
      'token guessing from one address',
      'signer 401 (first 30), then 429 for every failing credential',
      answers.slice(30).map((a) => a.status === 429),
    );
  });

  it('answers a flood of unauthenticated /readyz from one bucket check per few seconds', async () => {
    let checks = 0;
    const probed = await startTestSigner(s3, {
      bucket: team.bucket,
      instrument: (storage) => {
        const check = storage.bucketReachable.bind(storage);
        storage.bucketReachable = () => {
          checks += 1;
          return check();
        };
      },
    });
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${probed.url}/readyz`)));
    await probed.close();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(checks).toBe(1);
    refusedAll('/readyz flood reaching S3', 'cached bucket check (1 S3 call for 200)', [checks === 1]);
  });

  it('admits no active type by wildcard, and serves an allowed one only as an attachment', async () => {
    const html = Buffer.from('<script>alert(document.domain)</script>');
    const strict = await startTestSigner(s3, { bucket: team.bucket, policy: { allowedTypes: ['image/*'] } });
    const named = await startTestSigner(s3, {
      bucket: team.bucket,
      prefixes: { alice: 'named/alice', bob: 'named/bob' },
      policy: { allowedTypes: ['text/html', 'image/png'] },
    });
    const active = [
      ['index.html', 'text/html'],
      ['logo.svg', 'image/svg+xml'],
      ['feed.xml', 'application/xml'],
      ['page.xhtml', 'application/xhtml+xml'],
      ['app.js', 'text/javascript'],
      ['app.mjs', 'application/javascript'],
      ['data.rss', 'application/rss+xml'],
      ['old.js', 'text/x-javascript'],
      ['old.es', 'application/x-ecmascript'],
      ['older.ls', 'text/livescript'],
      ['v15.js', 'text/javascript1.5'],
      ['doc.dtd', 'application/xml-dtd'],
      ['entity.ent', 'text/xml-external-parsed-entity'],
      ['entity2.ent', 'application/xml-external-parsed-entity'],
      ['scene.xml', 'model/xml'],
    ].map(([path, type]) => fileOf(path!, html, type));
    const byDefault = (await sign(team, team.tokens.alice, 'active', active)).json.files;
    const byImageWildcard = (
      await sign(strict, strict.tokens.alice, 'active', [fileOf('logo.svg', html, 'image/svg+xml')])
    ).json.files;
    await strict.close();
    const outcomes = [...byDefault, ...byImageWildcard].map(
      (f) => f.status === 'error' && f.code === 'type-not-allowed',
    );

    const [page] = (await sign(named, named.tokens.alice, 'b1', [fileOf('page.html', html, 'text/html')])).json.files;
    expect((await put(page, html)).status).toBe(200);
    const [link] = (await callSigner(named.url, named.tokens.alice, 'POST', '/v1/links', { keys: [page.key] })).json
      .links;
    await named.close();
    expect(link).toMatchObject({ status: 'ok', disposition: 'attachment', contentType: 'text/html' });
    const served = await fetch(link.url);
    expect(await served.text()).toBe(html.toString());
    outcomes.push(served.headers.get('content-disposition') === "attachment; filename*=UTF-8''page.html");
    refusedAll(
      'active content served inline from the bucket',
      'signer type check; S3 attachment disposition',
      outcomes,
    );
  });

  it('refuses, per file and never with a 500, names that are ill-formed or dangerous downstream', async () => {
    const body = Buffer.from('x');
    const paths = [
      'lone\ud800surrogate.png',
      '\udfffback.png',
      '.. /x.png',
      'a/... /x.png',
      'CON',
      'NUL.png',
      'docs/COM1.png',
      'lpt3',
      'a<b.png',
      'a>b.png',
      'a"b.png',
      'a|b.png',
      'a?b.png',
      'a*b.png',
      'x.png::$DATA',
      '\u202egnp.exe.png',
      'pho\u200bto.png',
      'a\u2066b.png',
      '\ufeffbom.png',
      'line\u2028break.png',
      'no\u00a0break.png',
      '\u2800.png',
      'wide\u3000space.png',
      'trailing-dot.png.',
      'trailing-space.png ',
      'folder./x.png',
    ];
    const res = await sign(team, team.tokens.alice, 'names', [
      ...paths.map((p) => fileOf(p, body)),
      fileOf('fine.png', body),
    ]);
    expect(res.status).toBe(200);
    const files = res.json.files as { status: string; code?: string; message?: string }[];
    expect(files.at(-1)!.status).toBe('put');
    const outcomes = files
      .slice(0, -1)
      .map((f) => f.status === 'error' && f.code === 'invalid-path' && Boolean(f.message));
    refusedAll('ill-formed, invisible or Windows-dangerous names', 'signer per-file invalid-path (no 500)', outcomes);
  });

  it('reports names that one file system would merge as duplicates', async () => {
    const body = Buffer.from('y');
    const res = await sign(team, team.tokens.alice, 'dupes', [
      fileOf('Photo.png', body),
      fileOf('photo.PNG', body),
      fileOf('Stra\u00dfe.png', body),
      fileOf('STRASSE.png', body),
      fileOf('a/b.png', body),
      fileOf('A/B.png', body),
    ]);
    const codes = (res.json.files as { code?: string }[]).map((f) => f.code ?? 'signed');
    expect(codes).toEqual(['signed', 'duplicate-path', 'signed', 'duplicate-path', 'signed', 'duplicate-path']);
    refusedAll(
      'names that collide after case folding',
      'signer per-file duplicate-path',
      [1, 3, 5].map((i) => codes[i] === 'duplicate-path'),
    );
  });

  it('leaves nothing outside the users’ prefixes', async () => {
    const out = await admin.send(new ListObjectsV2Command({ Bucket: team.bucket }));
    const stray = (out.Contents ?? [])
      .map((o) => o.Key!)
      .filter((k) => !['teams/photo/alice/', 'teams/photo/bob/', 'named/alice/'].some((p) => k.startsWith(p)));
    expect(stray).toEqual([]);
    expect(secretBytes(team.config.tokenSecret)).toHaveLength(32);
  });
});
