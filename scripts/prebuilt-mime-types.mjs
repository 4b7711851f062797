// mime-types builds its table of extensions from mime-db's ~2,500 types every time it loads: ~15 % of the
// CLI's start-up here (a CPU profile of `hoist push`, before its first PUT). The CLI bundle takes the
// finished table instead, made once when the bundle is built, with mime-types' own rule for a path.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The source of a module whose `lookup` answers as mime-types' does, from the table mime-types builds. */
export function mimeTypesModuleSource() {
  const { types } = require('mime-types');
  const table = JSON.stringify(JSON.stringify(Object.entries(types)));
  return `import { extname } from 'node:path';
const types = new Map(JSON.parse(${table}));
export function lookup(path) {
  if (!path || typeof path !== 'string') return false;
  const extension = extname('x.' + path).toLowerCase().slice(1);
  return (extension && types.get(extension)) || false;
}
`;
}

/** An esbuild plugin that bundles the module above wherever code imports mime-types. */
export const prebuiltMimeTypes = {
  name: 'prebuilt-mime-types',
  setup(build) {
    build.onResolve({ filter: /^mime-types$/ }, () => ({ path: 'mime-types', namespace: 'prebuilt' }));
    build.onLoad({ filter: /.*/, namespace: 'prebuilt' }, () => ({ contents: mimeTypesModuleSource(), loader: 'js' }));
  },
};
