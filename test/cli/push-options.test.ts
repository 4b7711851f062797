import { describe, expect, it } from 'vitest';
import { batchOptions, destinationFor, engineOptions, planOptions, pushOptions } from '../../src/cli/push-options';
import { DEFAULT_IGNORE } from '../../src/engine';

// The push flags have one schema; the engine, the plan and the batch each get one conversion of it.
describe('hoist push options', () => {
  const flags = { onConflict: 'rename', concurrency: 'auto', exclude: ['*.html'], defaultExcludes: true, to: 'shoot' };

  it('applies the environment and the default excludes once, for the plan and the batch alike', () => {
    const options = pushOptions(flags, { HOIST_CA_FILE: '/ca.pem' }, '/state');
    expect(options).toMatchObject({ stateDir: '/state', caFile: '/ca.pem', dryRun: false, links: false });
    expect(options.ignore).toEqual([...DEFAULT_IGNORE, '*.html']);
    expect(planOptions(options, 'shoot')).toEqual({
      keepFiles: false,
      ignore: options.ignore,
      followSymlinks: false,
      destination: 'shoot',
    });
    expect(batchOptions(options, 'shoot')).toEqual({
      ignore: options.ignore,
      followSymlinks: false,
      destination: 'shoot',
      onConflict: 'rename',
    });
  });

  it('drops the default excludes with --no-default-excludes, and flags win over the environment', () => {
    const options = pushOptions(
      { ...flags, defaultExcludes: false, ignore: ['old'], stateDir: '/mine', caFile: '/flag.pem' },
      { HOIST_CA_FILE: '/ca.pem' },
      '/state',
    );
    expect(options.ignore).toEqual(['*.html', 'old']);
    expect(options).toMatchObject({ stateDir: '/mine', caFile: '/flag.pem' });
  });

  it('reaches the embedded signer straight, never through a proxy the environment names', () => {
    const options = pushOptions({ ...flags, minConcurrency: 2, bwlimit: 1000 }, {}, '/home/.hoist');
    const embedded = engineOptions(options, { signerUrl: 'http://127.0.0.1:1', token: 't', embedded: true });
    expect(embedded).toMatchObject({ signerId: 'embedded', autoConcurrency: { min: 2 }, bandwidth: 1000 });
    expect(typeof embedded.proxy).toBe('function');
    const remote = engineOptions(options, { signerUrl: 'https://signer.example', token: 't', embedded: false });
    expect(remote.signerId).toBe('https://signer.example');
    expect(remote.proxy).toBeUndefined();
  });

  it('continues where a folder went before unless --to or --new-folder says otherwise', () => {
    const remembered = (root: string) => (root === '/shoot' ? 'shoot-20261204-ab12' : undefined);
    const plain = pushOptions({ ...flags, to: undefined }, {}, '/h');
    expect(destinationFor(plain, remembered, '/shoot')).toEqual({
      destination: 'shoot-20261204-ab12',
      continued: true,
    });
    expect(destinationFor(plain, remembered, '/other')).toEqual({ continued: false });
    expect(destinationFor({ ...plain, newFolder: true }, remembered, '/shoot')).toEqual({ continued: false });
    expect(destinationFor({ ...plain, to: 'clients/x' }, remembered, '/shoot')).toEqual({
      destination: 'clients/x',
      continued: false,
    });
  });

  it('refuses a flag bag that is not push flags, naming the field', () => {
    expect(() => pushOptions({ ...flags, onConflict: 'merge' }, {}, '/h')).toThrow(/onConflict/u);
  });
});
