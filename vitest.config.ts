import { defineConfig } from 'vitest/config';

/** Tests that need no server: pure logic, the Electron shell with `electron` mocked, the linter's rules. */
const UNIT = [
  'test/lint/**/*.test.ts',
  'test/sign-in/advice.test.ts',
  'test/shell/**/*.test.ts',
  'test/engine/{answer-checks,bandwidth,batch-lock,connection-budget,connections,hash-cache,hash-pool,http-text,journal,progress-tracker,report,scan,scan-warm,threads-ahead}.test.ts',
  'test/desktop/{batch-actions,file-table,granted-paths,proxy-settings,settings-store}.test.ts',
  'test/cli/{push-options,settings-and-output}.test.ts',
  'test/signer/{claim-prefix,config-rules,destination-rules,keys-and-config}.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, globalSetup: ['test/setup/temp-root.ts'] },
      },
      {
        // Against real servers: a verifying S3 (Ceph RGW) the setup starts, the signer, Chromium.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'signer-server/test/**/*.test.ts'],
          exclude: UNIT,
          globalSetup: ['test/setup/temp-root.ts', 'test/setup/s3.ts'],
        },
      },
    ],
  },
});
