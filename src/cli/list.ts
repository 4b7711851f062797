import { formatBytes } from '../shared/progress';
import type { AskOutput, SignerSession } from './ask-signer';

/** `hoist ls`: the folders you have (or the destinations you are given), one per line, page by page. */
export async function listFolders(session: SignerSession, out: AskOutput): Promise<number> {
  let page: string | undefined;
  let count = 0;
  do {
    const answer = await session.signer.listFolders(page);
    for (const name of answer.folders) out.answer(`${name}/`, 'folder', { name });
    count += answer.folders.length;
    page = answer.next;
  } while (page);
  if (!count) out.info('No folders yet: `hoist push FOLDER` makes one');
  return count;
}

/** `hoist ls DEST`: every file in the folder, with its size, then how many and how much. */
export async function listFolder(session: SignerSession, destination: string, out: AskOutput): Promise<void> {
  let after: string | undefined;
  let files = 0;
  let bytes = 0;
  do {
    const page = await session.signer.listDestination(destination, after);
    for (const { path, size, etag } of page.objects) {
      out.answer(`${formatBytes(size).padStart(8)}  ${path}`, 'object', { path, size, etag });
      files += 1;
      bytes += size;
    }
    after = page.next;
  } while (after);
  out.answer(`${files} file${files === 1 ? '' : 's'}, ${formatBytes(bytes)} in ${destination}/`, 'end', {
    destination,
    files,
    bytes,
  });
}
