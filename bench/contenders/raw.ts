import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { relative } from 'node:path';
import PQueue from 'p-queue';
import { walk } from './walk';
import { encodeKeyPath, QueryPresigner } from '@hoist/signer-server/sigv4';

// The raw baseline: pre-sign locally (no signer round trip), PUT each file whole, no MD5, no retries.
// With a sixth argument `md5`, the same client also does the integrity work the issue asks of Hoist's
// PUTs: it reads each file once through MD5 before sending it with a signed Content-MD5. It measures
// what that work alone costs on this machine; the targets are still taken against the plain baseline.
// A seventh argument sets the connections (16 by default): the bench measures the store's own rate with 64.
const [dir, endpoint, bucket, accessKeyId, secretAccessKey, mode, connections = '16'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string | undefined,
  string | undefined,
];
const presigner = new QueryPresigner('us-east-1');
const host = new URL(endpoint).host;
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const queue = new PQueue({ concurrency: Number(connections) });

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

async function put(path: string, size: number): Promise<void> {
  const key = relative(dir, path);
  const headers: Record<string, string> = {
    'content-length': String(size),
    'content-type': 'application/octet-stream',
    ...(mode === 'md5' ? { 'content-md5': await md5Of(path) } : {}),
  };
  const url = presigner.presign(
    {
      method: 'PUT',
      protocol: 'http:',
      host,
      path: `/${bucket}/${encodeKeyPath(key)}`,
      query: {},
      headers,
      expiresInSeconds: 3600,
      now: new Date(),
    },
    { accessKeyId, secretAccessKey },
  );
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${key}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

for await (const path of walk(dir)) {
  const { size } = await stat(path);
  await queue.onSizeLessThan(Number(connections) * 4);
  void queue.add(() => put(path, size));
}
await queue.onIdle();
agent.destroy();
