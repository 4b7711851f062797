import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SignerConfig } from './config';
import type { SigningCredentials } from './sigv4';

/** A part S3 holds for an upload. */
export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
}

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  /** When S3 last wrote it, when the listing says. */
  modified?: Date;
}

/** A multipart upload S3 holds open: where, its id, and when it began. */
export interface OpenUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/** What HeadObject tells of one object. */
export interface StoredObject {
  etag: string;
  size: number;
  contentType: string;
}

/** The S3 calls made while serving one request, so the caller's rate limit can weigh the request by them. */
export const s3CallTally = new AsyncLocalStorage<{ calls: number }>();

/** The S3 calls the signer itself makes, with its own credentials, on its one bucket. */
export class Storage {
  readonly client: S3Client;
  readonly #bucket: string;

  /**
   * Uses the SDK's credential chain unless `credentials` are given (the embedded store's fixed keys, a
   * user's role session); `requestHandler` shares another client's connections.
   */
  constructor(
    s3: SignerConfig['s3'],
    credentials?: SigningCredentials,
    requestHandler?: S3ClientConfig['requestHandler'],
  ) {
    this.#bucket = s3.bucket;
    this.client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(credentials ? { credentials } : {}),
      ...(requestHandler ? { requestHandler } : {}),
    });
  }

  /** Sends one command, counted in the request's tally. */
  #send: S3Client['send'] = (command: Parameters<S3Client['send']>[0]) => {
    const tally = s3CallTally.getStore();
    if (tally) tally.calls += 1;
    return this.client.send(command);
  };

  /** The credentials the SDK's chain resolves now (cached and refreshed by the SDK). */
  async credentials(): Promise<SigningCredentials> {
    const provider = this.client.config.credentials;
    const { accessKeyId, secretAccessKey, sessionToken } = await provider();
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  }

  /** Why the bucket does not answer a HEAD with these credentials (its S3 error, or the network's), or undefined when it does. */
  async bucketProblem(): Promise<string | undefined> {
    try {
      await this.#send(new HeadBucketCommand({ Bucket: this.#bucket }));
      return undefined;
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode;
      // A HEAD answer has no body, so the SDK's message is often only `UnknownError`: the name and status say it.
      const message = (error as Error).message;
      const said = message && message !== 'UnknownError' ? `: ${message}` : '';
      return `${(error as Error).name}${status ? ` (${status})` : ''}${said}`;
    }
  }

  /** True when the bucket answers a HEAD with these credentials. */
  async bucketReachable(): Promise<boolean> {
    return (await this.bucketProblem()) === undefined;
  }

  /** True when an object exists at `key`. */
  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  /** What S3 holds at `key` (ETag, size, type), or undefined when nothing is there. */
  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.#send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { etag: out.ETag ?? '', size: out.ContentLength ?? 0, contentType: out.ContentType ?? '' };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  /** One page (at most 1,000) of the objects whose keys start with `prefix`, after `startAfter`, in key order. */
  async listPage(prefix: string, startAfter?: string): Promise<{ objects: ListedObject[]; truncated: boolean }> {
    const out = await this.#send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: prefix,
        ...(startAfter ? { StartAfter: startAfter } : {}),
      }),
    );
    const objects = (out.Contents ?? []).map((o): ListedObject => ({
      key: o.Key ?? '',
      size: o.Size ?? 0,
      etag: o.ETag ?? '',
      ...(o.LastModified ? { modified: o.LastModified } : {}),
    }));
    return { objects, truncated: Boolean(out.IsTruncated) && objects.length > 0 };
  }

  /** One page (at most 1,000) of the folder names directly under `prefix`, and the token of the next page. */
  async listFolders(prefix: string, token?: string): Promise<{ folders: string[]; next?: string }> {
    const out = await this.#send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: prefix,
        Delimiter: '/',
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    const folders = (out.CommonPrefixes ?? []).map((p) => (p.Prefix ?? '').slice(prefix.length, -1)).filter(Boolean);
    return { folders, ...(out.IsTruncated && out.NextContinuationToken ? { next: out.NextContinuationToken } : {}) };
  }

  /** Starts a multipart upload and returns its id. */
  async createUpload(key: string, contentType: string): Promise<string> {
    const out = await this.#send(
      new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key, ContentType: contentType }),
    );
    if (!out.UploadId) throw new Error(`S3 returned no UploadId for \`${key}\``);
    return out.UploadId;
  }

  /** Every part S3 holds for the upload, in part order. */
  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    do {
      const out = await this.#send(
        new ListPartsCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      );
      for (const p of out.Parts ?? []) {
        parts.push({ partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: p.ETag ?? '' });
      }
      marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Completes the upload from the given parts; with `createOnly`, asks S3 not to replace an object. */
  async complete(key: string, uploadId: string, parts: StoredPart[], createOnly: boolean): Promise<void> {
    await this.#send(
      new CompleteMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        ...(createOnly ? { IfNoneMatch: '*' } : {}),
      }),
    );
  }

  /** The ETag of the object at `key` as S3 reports it now. */
  async etag(key: string): Promise<string> {
    const out = await this.#send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
    return out.ETag ?? '';
  }

  /** Every multipart upload open under `prefix`, paging through the listing. */
  async openUploads(prefix: string): Promise<OpenUpload[]> {
    const uploads: OpenUpload[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const out = await this.#send(
        new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: prefix, ...markers }),
      );
      for (const u of out.Uploads ?? []) {
        if (u.Key && u.UploadId)
          uploads.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
      }
      if (!out.IsTruncated || !out.NextKeyMarker) return uploads;
      markers = {
        KeyMarker: out.NextKeyMarker,
        ...(out.NextUploadIdMarker ? { UploadIdMarker: out.NextUploadIdMarker } : {}),
      };
    }
  }

  /** Deletes the object at `key`. */
  async delete(key: string): Promise<void> {
    await this.#send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  /** Aborts the upload; S3 frees its parts. */
  async abort(key: string, uploadId: string): Promise<void> {
    await this.#send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId }));
  }
}
