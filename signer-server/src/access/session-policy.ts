import type { Caller } from '../auth';

/** The most bytes AWS takes in an inline session policy (STS packs it further; this is the plain-text cap). */
const MAX_POLICY_CHARS = 2048;

/** The ARN partition a region belongs to, so one policy text fits AWS, its China and GovCloud regions. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The folders a caller may touch: each allowed destination inside the prefix, or the whole prefix. */
export function callerFolders(caller: Pick<Caller, 'prefix' | 'destinations'>): string[] {
  return caller.destinations?.length ? caller.destinations.map((d) => `${caller.prefix}/${d}`) : [caller.prefix];
}

/**
 * The session policy for one caller: put, get, list parts of and abort uploads of keys inside their
 * folders, and list the bucket only under them. Nothing else, so a URL signed with the session can do no
 * more than its owner may, even on a store that ignores headers the URL did not sign. Falls back to the
 * whole prefix when the folders' policy would be longer than STS takes.
 */
export function sessionPolicy(bucket: string, region: string, caller: Pick<Caller, 'prefix' | 'destinations'>): string {
  const text = (folders: string[]): string => {
    const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
    return JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          Resource: folders.map((folder) => `${arn}/${folder}/*`),
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: [arn],
          Condition: { StringLike: { 's3:prefix': folders.map((folder) => `${folder}/*`) } },
        },
      ],
    });
  };
  const narrow = text(callerFolders(caller));
  return narrow.length <= MAX_POLICY_CHARS ? narrow : text([caller.prefix]);
}
