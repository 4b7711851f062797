import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDir, startEmbeddedStack } from '../../src/embedded/embedded-stack';

// The CLI and the desktop start the embedded signer and store the one same way, so a batch interrupted
// under one launch resumes under the next: the token and the secret outlive the process.
describe('the embedded signer and store', () => {
  it('keeps its token and secret beside its data (0600) and starts again with them', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-embedded-'));
    const first = await startEmbeddedStack(stateDir);
    await first.stop();
    const secrets = join(embeddedDir(stateDir), 'local-signer.json');
    expect((await stat(secrets)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(secrets, 'utf8'))).toEqual({ token: first.token, tokenSecret: first.tokenSecret });
    const second = await startEmbeddedStack(stateDir);
    try {
      expect(second.token).toBe(first.token);
      expect(second.tokenSecret).toBe(first.tokenSecret);
      const answer = await fetch(`${second.signerUrl}/v1/policy`, {
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(answer.status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
