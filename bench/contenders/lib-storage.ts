import { readdir } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, relative } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import PQueue from 'p-queue';

// @aws-sdk/lib-storage with direct credentials: 16 files at once, its default 4 parts at once per file.
const [dir, endpoint, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId, secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  maxAttempts: 3,
});
const queue = new PQueue({ concurrency: 16 });

async function* walk(folder: string): AsyncGenerator<string> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

for await (const path of walk(dir)) {
  await queue.onSizeLessThan(64);
  void queue.add(() =>
    new Upload({ client, params: { Bucket: bucket, Key: relative(dir, path), Body: createReadStream(path) } }).done(),
  );
}
await queue.onIdle();
client.destroy();
