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
  try {
    const { endpoint, region, accessKeyId, secretAccessKey, verifies, tls, roleArn } = s3;
    project.provide('s3', {
      endpoint,
      region,
      accessKeyId,
      secretAccessKey,
      verifies,
      ...(tls ? { tls } : {}),
      ...(roleArn ? { roleArn } : {}),
    });
  } catch (error) {
    // Vitest runs no teardown for a setup that threw: stop the server here, or it outlives the run.
    await s3.stop();
    throw error;
  }
  return () => s3.stop();
}
