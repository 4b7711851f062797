import type { FileResult } from '@hoist/protocol';
import { errors } from '../errors';
import { toRequest, type PendingFile } from '../pipeline/pending-file';
import type { SignerClient, SignTarget } from '../signer/signer-client';

/** Signs one file again and insists on the kind of answer expected; a refusal becomes a fatal error. */
export async function signFileAgain<S extends 'put' | 'multipart'>(
  signer: SignerClient,
  target: SignTarget,
  file: PendingFile,
  status: S,
  signal: AbortSignal,
): Promise<Extract<FileResult, { status: S }>> {
  const [again] = await signer.signFiles(target, [toRequest(file)], signal);
  if (again?.status === status) return again as Extract<FileResult, { status: S }>;
  if (again?.status === 'error') throw errors.signer(again.code, again.message, 'fatal');
  throw errors.signerProtocol(`Signing \`${file.path}\` again gave no ${status} answer`);
}
