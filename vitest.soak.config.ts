import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run soak`: the long soak run, kept out of `npm test`; the same S3 setup as the other suites.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 15 * 60_000,
    maxWorkers: 1,
  },
});
