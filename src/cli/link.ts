import type { AskOutput, SignerSession } from './ask-signer';

/** Keys the signer takes in one links request. */
const KEYS_PER_REQUEST = 1000;

/** The key of `path` inside `prefix`: `shoot/a.jpg` → `users/ana/shoot/a.jpg`; a path already naming the prefix stays. */
export function keyOf(prefix: string, path: string): string {
  const inside = path.replace(/^(\.\/|\/)+/u, '');
  return inside.startsWith(`${prefix}/`) ? inside : `${prefix}/${inside}`;
}

/**
 * `hoist link PATH…`: a view link for each file (a path inside your prefix, as `hoist ls` shows it), and
 * until when it works; resolves to how many had none (not yours, or nothing there), each said why.
 */
export async function link(session: SignerSession, paths: string[], out: AskOutput): Promise<number> {
  const { prefix } = await session.signer.policy();
  let missing = 0;
  for (let start = 0; start < paths.length; start += KEYS_PER_REQUEST) {
    const chunk = paths.slice(start, start + KEYS_PER_REQUEST);
    const links = await session.signer.links(chunk.map((path) => keyOf(prefix, path)));
    links.forEach((result, i) => {
      const path = chunk[i]!;
      if (result.status === 'ok') {
        const opens = result.disposition === 'inline' ? 'opens in a browser' : 'downloads';
        out.answer(`${path}: ${result.url}\n  (${opens}; works until ${result.expiresAt})`, 'link', {
          path,
          ...result,
        });
        return;
      }
      missing += 1;
      out.problem(`${path}: ${result.message}`, 'link', { path, ...result });
    });
  }
  return missing;
}
