import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import PQueue from 'p-queue';
import { walk } from './walk';

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

for await (const path of walk(dir)) {
  await queue.onSizeLessThan(64);
  void queue.add(() =>
    new Upload({ client, params: { Bucket: bucket, Key: relative(dir, path), Body: createReadStream(path) } }).done(),
  );
}
await queue.onIdle();
client.destroy();
