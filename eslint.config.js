// Lint rules, including the layering rules: a file's folder says which runtimes it may import.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)].filter(
  (name) => !name.startsWith('_'),
);

const electron = {
  name: 'electron',
  message: 'Only the Electron shell (src/main outside desktop/, src/preload) may import electron.',
};
const aboveTheEngine = {
  group: ['**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
  message:
    'The engine, sign-in and embedded stack are plain Node under the CLI and the desktop app: they import neither.',
};
const theEngine = {
  group: ['**/engine', '**/engine/**'],
  message: 'src/shared is beneath the engine: types and pure logic the engine, CLI and UI share.',
};
const noNode = {
  group: nodeBuiltins,
  message: 'This layer runs without Node: no Node built-ins here.',
};

/** The engine's folders by floor: a folder imports only from folders on lower floors (and the engine's root files). */
const ENGINE_FLOORS = { transfer: 0, hashing: 0, signer: 1, run: 2, pipeline: 3, upload: 4, batch: 5, report: 5 };
const floorsInWords = Object.entries(ENGINE_FLOORS)
  .map(([folder, floor]) => `${folder} ${floor}`)
  .join(', ');
const climbing = (folder) => ({
  group: Object.entries(ENGINE_FLOORS)
    .filter(([other, floor]) => other !== folder && floor >= ENGINE_FLOORS[folder])
    .flatMap(([other]) => [`../${other}`, `../${other}/**`]),
  message: `src/engine/${folder}/ is on floor ${ENGINE_FLOORS[folder]}: it imports only from lower floors (${floorsInWords}).`,
});
const theEngineTop = ['..', '../index', '../upload-engine'].map((name) => ({
  name,
  message: 'The engine assembled is the top floor: nothing inside it imports it.',
}));

/** Builds a no-restricted-imports rule from the forbidden names and patterns of one layer. */
const restrict = ({ paths = [], patterns = [] }) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

const browserGlobals = ['window', 'document', 'navigator', 'localStorage', 'location'].map((name) => ({
  name,
  message: 'This layer is pure: no DOM.',
}));
const theApp = {
  group: ['**/src/**', '@hoist/signer-server', '@hoist/signer-server/**'],
  message: 'The protocol is beneath both the app and the signer: it imports neither.',
};
const nodeGlobals = ['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
  name,
  message: 'This layer runs without Node.',
}));

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'signer-server/dist/**',
      'node_modules/**',
      'test-output/**',
      'test/fixtures/**',
      'bench/.build/**',
      'bench/.prof/**',
      'bench/.data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-warning-comments': ['error', { terms: ['todo', 'fixme', 'xxx'] }],
    },
  },
  {
    files: ['**/*.{js,ts,tsx}'],
    ignores: ['src/main/**', 'src/preload/**', 'test/**'],
    rules: restrict({ paths: [electron] }),
  },
  {
    files: ['src/engine/**', 'src/sign-in/**', 'src/embedded/**'],
    rules: restrict({ paths: [electron], patterns: [aboveTheEngine] }),
  },
  ...Object.keys(ENGINE_FLOORS).map((folder) => ({
    files: [`src/engine/${folder}/**`],
    rules: restrict({ paths: [electron, ...theEngineTop], patterns: [aboveTheEngine, climbing(folder)] }),
  })),
  {
    files: ['src/main/desktop/**'],
    rules: restrict({ paths: [electron] }),
  },
  {
    files: ['src/shared/**'],
    rules: {
      ...restrict({ paths: [electron], patterns: [noNode, theEngine] }),
      'no-restricted-globals': ['error', ...browserGlobals, ...nodeGlobals],
    },
  },
  {
    files: ['protocol/**'],
    rules: {
      ...restrict({ paths: [electron], patterns: [noNode, theApp] }),
      'no-restricted-globals': ['error', ...browserGlobals, ...nodeGlobals],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      ...restrict({ paths: [electron], patterns: [noNode] }),
      'no-restricted-globals': ['error', ...nodeGlobals],
    },
  },
  {
    files: ['src/preload/**'],
    rules: restrict({ patterns: [noNode] }),
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
