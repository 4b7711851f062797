import type { TestProject } from 'vitest/node';
import { startTestS3, type S3Endpoint } from '../helpers/test-s3';

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3Endpoint;
  }
}

/** Starts one verifying S3 for the whole run and hands its address to every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startTestS3();
  const { endpoint, region, accessKeyId, secretAccessKey, verifies } = s3;
  project.provide('s3', { endpoint, region, accessKeyId, secretAccessKey, verifies });
  return () => s3.stop();
}
