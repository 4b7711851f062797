import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const METADATA = '._S3rver_metadata.json';

/**
 * Removes the objects whose writes a killed process cut short from s3rver's folder `dir`, and returns
 * their paths. s3rver writes an object, then its `.md5`, then its metadata last, and answers the PUT only
 * after; a metadata file that is not JSON (empty, as a kill leaves it) is a PUT no client was told
 * succeeded, and s3rver answers 500 to every listing and HEAD of the bucket while it is there.
 */
export async function dropInterruptedObjects(dir: string): Promise<string[]> {
  const dropped: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(METADATA)) continue;
    const metadata = join(entry.parentPath, entry.name);
    try {
      JSON.parse(await readFile(metadata, 'utf8'));
    } catch {
      const object = `${metadata.slice(0, -METADATA.length)}._S3rver_object`;
      await Promise.all([metadata, object, `${object}.md5`].map((file) => rm(file, { force: true })));
      dropped.push(object);
    }
  }
  return dropped;
}
