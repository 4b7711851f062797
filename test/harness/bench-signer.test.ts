import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';

// `npm run bench:signer` signs through a signer with no store behind it. Nothing else runs that signer,
// and it stopped starting unnoticed once the signer checked its bucket at start; this starts it as the
// bench does and signs one batch.
describe('the signer bench', () => {
  let child: ReturnType<typeof fork> | undefined;
  afterEach(() => {
    child?.kill();
  });

  it('starts its storeless signer, which signs a batch of new files', async () => {
    child = fork('bench/signer-child.ts', {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      child!.once('message', (message) => resolve(message as { url: string; token: string }));
      child!.once('exit', (code) => reject(new Error(`the bench's signer exited (${code}): ${stderr}`)));
    });
    const md5 = createHash('md5').update('x').digest('base64');
    const response = await fetch(`${ready.url}/v1/batches/sign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: 'bench', files: [{ path: 'dir/a.jpg', size: 1000, type: 'image/jpeg', md5 }] }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { files: { url?: string }[] };
    expect(answer.files[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:9\/bench\/bench\//u);
  });
});
