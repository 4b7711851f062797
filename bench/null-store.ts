import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A store that answers like S3 and keeps nothing, with how many objects it was sent. */
export interface NullStore {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Objects whose bytes arrived whole. */
  readonly puts: number;
  stop(): Promise<void>;
}

const EMPTY_LISTING =
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>';

/**
 * A fast local stand-in for S3 that stores nothing: a PUT is answered with the ETag S3 would give (the
 * MD5 of the bytes received), a bucket exists, a listing is empty. It checks no signature: it measures
 * a client, not a store.
 */
export async function startNullStore(): Promise<NullStore> {
  let puts = 0;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const url = new URL(req.url!, 'http://store');
    if (req.method === 'PUT') {
      const md5 = createHash('md5');
      req.on('data', (chunk: Buffer) => md5.update(chunk));
      req.on('end', () => {
        puts += 1;
        res.writeHead(200, { ETag: `"${md5.digest('hex')}"`, 'Content-Length': 0 }).end();
      });
      return;
    }
    req.resume();
    if (req.method === 'HEAD') res.writeHead(200).end();
    else if (req.method === 'GET' && url.searchParams.get('list-type') === '2')
      res.writeHead(200, { 'Content-Type': 'application/xml' }).end(EMPTY_LISTING);
    else
      res.writeHead(501, { 'Content-Type': 'text/plain' }).end(`Not kept by the null store: ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'NULLSTOREACCESSKEY01',
    secretAccessKey: 'null-store-secret-key-not-checked',
    get puts() {
      return puts;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
