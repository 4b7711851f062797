import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ListDestinationResponseSchema } from '@hoist/protocol';
import { md5Base64 } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signer: TestSigner;
let overwriting: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, {
    policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    userSettings: { bob: { destinations: ['inbox', 'clients/acme'] } },
  });
  overwriting = await startTestSigner(s3, {
    bucket: signer.bucket,
    tokens: signer.tokens,
    tokenSecret: signer.config.tokenSecret,
    policy: { overwrite: true, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    userSettings: { bob: { overwrite: false } },
  });
});
afterAll(async () => {
  await signer.close();
  await overwriting.close();
  admin.destroy();
});

interface SignOptions {
  destination?: string;
  conflict?: 'overwrite' | 'rename';
  user?: 'alice' | 'bob';
  on?: TestSigner;
}

async function sign(path: string, body: Buffer, options: SignOptions = {}) {
  const { user = 'alice', on = signer } = options;
  return callSigner(on.url, on.tokens[user], 'POST', '/v1/batches/sign', {
    batch: 'b1',
    ...(options.destination ? { destination: options.destination } : {}),
    files: [
      {
        path,
        size: body.length,
        type: 'image/png',
        md5: md5Base64(body),
        ...(options.conflict ? { conflict: options.conflict } : {}),
      },
    ],
  });
}

const put = (file: { url: string; headers: Record<string, string> }, body: Buffer) =>
  fetch(file.url, { method: 'PUT', headers: file.headers, body: new Uint8Array(body) });

async function stored(key: string): Promise<Buffer | undefined> {
  try {
    const got = await admin.send(new GetObjectCommand({ Bucket: signer.bucket, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  } catch {
    return undefined;
  }
}

const seed = (key: string, body: Buffer) =>
  admin.send(new PutObjectCommand({ Bucket: signer.bucket, Key: key, Body: body, ContentType: 'image/png' }));

describe('destinations on the verifying S3', () => {
  it('puts a batch with a destination at <prefix>/<destination>/<path>, and without one in its batch folder', async () => {
    const body = Buffer.from('into a destination');
    const res = await sign('shoot/a.png', body, { destination: 'clients/acme/2026-12/' });
    expect(res.json.files[0]).toMatchObject({ status: 'put', key: 'users/alice/clients/acme/2026-12/shoot/a.png' });
    expect((await put(res.json.files[0], body)).status).toBe(200);
    expect(await stored('users/alice/clients/acme/2026-12/shoot/a.png')).toEqual(body);
    const plain = await sign('shoot/a.png', body);
    expect(plain.json.files[0].key).toBe('users/alice/b1/shoot/a.png');
  });

  it.each([
    ['../bob', 'invalid-destination', 'parent folder'],
    ['../../users/bob/inbox', 'invalid-destination', 'parent folder'],
    ['/users/bob', 'invalid-destination', 'absolute'],
    ['a//b', 'invalid-destination', 'empty segment'],
    ['clients/\u202egnp', 'invalid-destination', 'invisible'],
    ['C:/x', 'invalid-destination', 'absolute'],
  ])('refuses destination %j outside the prefix (%s), before signing anything', async (destination, code, why) => {
    const res = await sign('a.png', Buffer.from('x'), { destination });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code, field: 'destination' });
    expect(res.json.error.message).toContain(why);
    const listed = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/destinations/list', { destination });
    expect(listed.status).toBe(400);
  });

  it('keeps a restricted user inside the destinations the config gives them, and says which in the policy', async () => {
    const policy = await callSigner(signer.url, signer.tokens.bob, 'GET', '/v1/policy');
    expect(policy.json.destinations).toEqual(['inbox', 'clients/acme']);
    const alicePolicy = await callSigner(signer.url, signer.tokens.alice, 'GET', '/v1/policy');
    expect(alicePolicy.json.destinations).toBeNull();
    const inside = await sign('a.png', Buffer.from('x'), { user: 'bob', destination: 'clients/acme/2026' });
    expect(inside.json.files[0].key).toBe('users/bob/clients/acme/2026/a.png');
    const beside = await sign('a.png', Buffer.from('x'), { user: 'bob', destination: 'clients/acmecorp' });
    expect(beside.status).toBe(403);
    expect(beside.json.error).toMatchObject({ code: 'destination-not-allowed' });
    expect(beside.json.error.message).toContain('`inbox`, `clients/acme`');
    const none = await sign('a.png', Buffer.from('x'), { user: 'bob' });
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('destination-required');
    const listed = await callSigner(signer.url, signer.tokens.bob, 'POST', '/v1/destinations/list', {
      destination: 'elsewhere',
    });
    expect(listed.status).toBe(403);
  });

  it('lists a destination as paths, sizes and ETags, after a path, and never beyond the destination', async () => {
    const bodies = ['one', 'two', 'three'].map((t) => Buffer.from(t));
    await Promise.all(bodies.map((b, i) => seed(`users/alice/listed/d/${i}.png`, b)));
    await seed('users/alice/listed-not/x.png', Buffer.from('beside'));
    await seed('users/bob/listed/d/secret.png', Buffer.from("bob's"));
    const all = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/destinations/list', {
      destination: 'listed',
    });
    expect(all.status).toBe(200);
    expect(all.json).toEqual({
      objects: bodies.map((b, i) => ({
        path: `d/${i}.png`,
        size: b.length,
        etag: `"${Buffer.from(md5Base64(b), 'base64').toString('hex')}"`,
      })),
    });
    const after = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/destinations/list', {
      destination: 'listed',
      after: 'd/0.png',
    });
    expect(after.json.objects.map((o: { path: string }) => o.path)).toEqual(['d/1.png', 'd/2.png']);
    // `after` only says where to start inside the destination: it cannot walk out of it.
    const escape = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/destinations/list', {
      destination: 'listed',
      after: '../../bob/listed/d/a',
    });
    expect(escape.json.objects.map((o: { path: string }) => o.path)).toEqual(['d/0.png', 'd/1.png', 'd/2.png']);
    // Asked for, each object says when S3 wrote it; clients that do not ask (above) never meet the field.
    const before = Date.now() - 60_000;
    const dated = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/destinations/list?with=modified', {
      destination: 'listed',
    });
    const parsed = ListDestinationResponseSchema.parse(dated.json);
    expect(parsed.objects).toHaveLength(3);
    for (const o of parsed.objects) expect(Date.parse(o.modified!)).toBeGreaterThan(before);
  });
});

describe('conflicts on the verifying S3', () => {
  const old = Buffer.from('the object already there');
  const fresh = Buffer.from('a different file, same name');

  it('signs create-only unless the file asks to overwrite; S3 refuses the PUT (412) and keeps the object', async () => {
    await seed('users/alice/c1/a.png', old);
    for (const on of [signer, overwriting]) {
      const res = await sign('a.png', fresh, { destination: 'c1', on });
      expect(res.json.files[0].headers['if-none-match']).toBe('*');
      expect((await put(res.json.files[0], fresh)).status).toBe(412);
    }
    expect(await stored('users/alice/c1/a.png')).toEqual(old);
  });

  it('overwrites only where the policy lets this user, and then S3 takes the new bytes', async () => {
    await seed('users/alice/c2/a.png', old);
    const refused = await sign('a.png', fresh, { destination: 'c2', conflict: 'overwrite' });
    expect(refused.json.files[0]).toMatchObject({ status: 'error', code: 'overwrite-not-allowed' });
    expect(refused.json.files[0].message).toContain('users/alice/c2/a.png');
    const bob = await sign('a.png', fresh, { user: 'bob', destination: 'c2', conflict: 'overwrite', on: overwriting });
    expect(bob.json.files[0]).toMatchObject({ status: 'error', code: 'overwrite-not-allowed' });
    const allowed = await sign('a.png', fresh, { destination: 'c2', conflict: 'overwrite', on: overwriting });
    expect(allowed.json.files[0].headers['if-none-match']).toBeUndefined();
    expect((await put(allowed.json.files[0], fresh)).status).toBe(200);
    expect(await stored('users/alice/c2/a.png')).toEqual(fresh);
  });

  it('renames to the first free `name (n).ext` beside the object, create-only, never onto a name in the same request', async () => {
    await seed('users/alice/c3/shoot/a.png', old);
    await seed('users/alice/c3/shoot/a (1).png', old);
    const res = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'b1',
      destination: 'c3',
      files: [
        { path: 'shoot/a.png', size: fresh.length, type: 'image/png', md5: md5Base64(fresh), conflict: 'rename' },
        { path: 'shoot/a (2).png', size: fresh.length, type: 'image/png', md5: md5Base64(fresh) },
        { path: 'shoot/.env', size: 1, type: 'text/plain', md5: md5Base64(Buffer.from('x')), conflict: 'rename' },
      ],
    });
    const [renamed, local, dotFile] = res.json.files;
    expect(renamed).toMatchObject({ status: 'put', key: 'users/alice/c3/shoot/a (3).png' });
    expect(renamed.headers['if-none-match']).toBe('*');
    expect(local.key).toBe('users/alice/c3/shoot/a (2).png');
    expect(dotFile.key).toBe('users/alice/c3/shoot/.env (1)');
    expect((await put(renamed, fresh)).status).toBe(200);
    expect(await stored('users/alice/c3/shoot/a.png')).toEqual(old);
    expect(await stored('users/alice/c3/shoot/a (3).png')).toEqual(fresh);
  });

  it('plans a multipart file create-only unless it may overwrite, and the token carries which', async () => {
    const big = Buffer.alloc(6 * MiB, 7);
    await seed('users/alice/c4/big.bin', old);
    const multipart = (conflict?: 'overwrite') =>
      callSigner(overwriting.url, overwriting.tokens.alice, 'POST', '/v1/batches/sign', {
        batch: 'b1',
        destination: 'c4',
        files: [{ path: 'big.bin', size: big.length, type: 'image/png', ...(conflict ? { conflict } : {}) }],
      });
    expect((await multipart()).json.files[0]).toMatchObject({ status: 'error', code: 'exists' });
    const plan = (await multipart('overwrite')).json.files[0];
    expect(plan.status).toBe('multipart');
    const parts = [big.subarray(0, 5 * MiB), big.subarray(5 * MiB)];
    const signed = await callSigner(overwriting.url, overwriting.tokens.alice, 'POST', '/v1/multipart/parts', {
      token: plan.token,
      parts: parts.map((p, i) => ({ partNumber: i + 1, size: p.length, md5: md5Base64(p) })),
    });
    for (const [i, part] of signed.json.parts.entries()) expect((await put(part, parts[i]!)).status).toBe(200);
    const done = await callSigner(overwriting.url, overwriting.tokens.alice, 'POST', '/v1/multipart/complete', {
      token: plan.token,
    });
    expect(done.status).toBe(200);
    // Buffer.equals: vitest's deep equality walks 6 MiB byte by byte for half a minute.
    expect((await stored('users/alice/c4/big.bin'))?.equals(big)).toBe(true);
  });
});
