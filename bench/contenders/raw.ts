import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { relative } from 'node:path';
import PQueue from 'p-queue';
import { walk } from './walk';
import { encodeKeyPath, QueryPresigner } from '@hoist/signer-server/sigv4';

// The raw baseline: pre-sign locally (no signer round trip), PUT each file whole, no MD5, no retries.
const [dir, endpoint, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const presigner = new QueryPresigner('us-east-1');
const host = new URL(endpoint).host;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const queue = new PQueue({ concurrency: 16 });

function put(path: string, size: number): Promise<void> {
  const key = relative(dir, path);
  const headers = { 'content-length': String(size), 'content-type': 'application/octet-stream' };
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
  await queue.onSizeLessThan(64);
  void queue.add(() => put(path, size));
}
await queue.onIdle();
agent.destroy();
