import { choosePartSize, partCount, type FileResult } from '@hoist/protocol';
import type { SigningContext } from './context';
import type { JudgedFile } from './judge';
import type { Placement } from './place';

/** Step 4: a PUT URL for a file sent whole, or a multipart upload created for it with its upload token. */
export async function presign(
  ctx: SigningContext,
  judged: JudgedFile,
  { key, createOnly }: Placement,
  now: Date,
): Promise<FileResult> {
  const { config, tokens, urls, guard } = ctx.deps;
  const { file } = judged;
  if (!judged.multipart) {
    const put = urls.put(
      ctx.access.credentials,
      key,
      {
        contentType: file.type,
        size: file.size,
        md5: file.md5 ?? '',
        createOnly,
        ttlSeconds: ctx.access.ttl(config.policy.putUrlTtlSeconds),
        pinAcl: guard.unsignedHeadersAccepted,
      },
      now,
    );
    return { status: 'put', path: file.path, key, ...put };
  }
  const partSize = choosePartSize(file.size, config.policy.partSize);
  const uploadId = await ctx.access.storage.createUpload(key, file.type);
  const token = tokens.issue({
    user: ctx.caller.id,
    key,
    uploadId,
    size: file.size,
    partSize,
    expiresAt: Math.floor(now.getTime() / 1000) + config.policy.uploadTokenTtlSeconds,
    ...(createOnly ? {} : { overwrite: true as const }),
  });
  return {
    status: 'multipart',
    path: file.path,
    key,
    uploadId,
    partSize,
    partCount: partCount(file.size, partSize),
    token,
  };
}
