import madge from 'madge';
import { describe, expect, it } from 'vitest';

// Type imports count too: a module and what it imports form a tree a newcomer can read from the top.
const config = {
  fileExtensions: ['ts', 'tsx'],
  tsConfig: 'tsconfig.node.json',
  detectiveOptions: { ts: { skipTypeImports: false } },
};

describe('imports', () => {
  it.each([['src'], ['signer-server/src']])('form no circle in %s', async (folder) => {
    const graph = await madge(folder, config);
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(10);
    expect(graph.circular()).toEqual([]);
  });

  it('find the circle the engine had (batch.ts and multipart.ts), so the check can fail', async () => {
    const graph = await madge('test/fixtures/cycle', config);
    expect(graph.circular()).toEqual([['a.ts', 'b.ts']]);
  });
});
