import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run soak`: the long soak run, kept out of `npm test`; the same S3 setup as the integration suites.
const { projects, ...shared } = base.test!;

export default defineConfig({
  test: {
    ...shared,
    include: ['test/soak/**/*.soak.ts'],
    globalSetup: ['test/setup/temp-root.ts', 'test/setup/s3.ts'],
    testTimeout: 15 * 60_000,
    maxWorkers: 1,
  },
});
