import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      // The workspaces ship TypeScript sources: bundle them into main rather than require them at run time.
      externalizeDeps: { exclude: ['@hoist/protocol', '@hoist/signer-server'] },
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // The engine's hash and scan threads run these files beside the bundle (see worker-location.ts).
          'hash-worker': resolve(import.meta.dirname, 'src/engine/hashing/hash-worker.ts'),
          'scan-worker': resolve(import.meta.dirname, 'src/engine/pipeline/scan-worker.ts'),
          // The desktop's service runs on a thread of its own, started from this file (service-thread.ts).
          'service-worker': resolve(import.meta.dirname, 'src/main/desktop/service-worker.ts'),
        },
        output: {
          entryFileNames: (chunk) => (chunk.name.endsWith('-worker') ? '[name].mjs' : '[name].js'),
          // Shared chunks sit beside the entries too: the code that names a thread's file finds it beside itself.
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: resolve(import.meta.dirname, 'src/preload/index.ts'),
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: { rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    plugins: [react()],
  },
});
