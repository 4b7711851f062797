import * as z from 'zod';
import { MAX_BATCH_ID_LENGTH } from './batch-id';
import { SIGNER_ERROR_CODES } from './error-codes';

const MD5_BASE64 = /^[A-Za-z0-9+/]{22}==$/u;

/** A Content-MD5 value: the base64 of 16 bytes. */
export const Md5Schema = z.string().regex(MD5_BASE64, 'expected the base64 of a 16-byte MD5');

/** One file a client asks to upload. */
export const FileRequestSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  type: z.string().min(1).max(255),
  md5: Md5Schema.optional(),
  /**
   * What to do where the destination holds a different object at this file's key: replace it (where the
   * policy allows overwrite), or upload beside it under a free name the signer picks (`a (1).png`).
   * Without it the upload is create-only.
   */
  conflict: z.enum(['overwrite', 'rename']).optional(),
});

/** A folder inside the caller's prefix, such as `clients/acme/2026-12`. */
export const DestinationSchema = z.string().min(1).max(1024);

/** POST /v1/batches/sign: files of one batch to sign, into its destination or, without one, its own folder. */
export const SignBatchRequestSchema = z.strictObject({
  batch: z.string().min(1).max(MAX_BATCH_ID_LENGTH),
  destination: DestinationSchema.optional(),
  files: z.array(FileRequestSchema).min(1),
});

/** POST /v1/destinations/list: one page of what a destination holds, after the path `after`. */
export const ListDestinationRequestSchema = z.strictObject({
  destination: DestinationSchema,
  after: z.string().min(1).max(1024).optional(),
});

/** One object a destination holds, named by its path inside the destination. */
export const DestinationObjectSchema = z.strictObject({
  path: z.string(),
  size: z.number().int().nonnegative(),
  etag: z.string(),
  /**
   * When S3 last wrote it (ISO 8601). Sent only to a client that asks with `?with=modified`, so clients
   * older than this field never meet it; signers older than it leave it out.
   */
  modified: z.iso.datetime({ offset: true }).optional(),
});

/** A page of a destination's objects in key order; `next` is the `after` of the next page, absent at the end. */
export const ListDestinationResponseSchema = z.strictObject({
  objects: z.array(DestinationObjectSchema),
  next: z.string().optional(),
});

/** POST /v1/folders/list: one page of the folders the caller has, from the page token `page`. */
export const ListFoldersRequestSchema = z.strictObject({
  page: z.string().min(1).max(4096).optional(),
});

/**
 * The folders directly inside the caller's prefix (or the destinations they are given, when the policy
 * names some), in key order; `next` is the `page` of the next answer, absent at the end.
 */
export const ListFoldersResponseSchema = z.strictObject({
  folders: z.array(z.string()),
  next: z.string().optional(),
});

const HeadersSchema = z.record(z.string(), z.string());

/** A file that goes up in one PUT: send exactly `headers` to `url`. */
export const PutResultSchema = z.strictObject({
  status: z.literal('put'),
  path: z.string(),
  key: z.string(),
  url: z.string(),
  headers: HeadersSchema,
  expiresAt: z.string(),
});

/** A file that goes up in parts: sign them with `token`. */
export const MultipartResultSchema = z.strictObject({
  status: z.literal('multipart'),
  path: z.string(),
  key: z.string(),
  uploadId: z.string(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  token: z.string(),
});

/** A file the signer refused, with a code and a message for a person. */
export const FileErrorSchema = z.strictObject({
  status: z.literal('error'),
  path: z.string(),
  code: z.enum(SIGNER_ERROR_CODES),
  message: z.string(),
});

/** The signer's answer for one file. */
export const FileResultSchema = z.discriminatedUnion('status', [
  PutResultSchema,
  MultipartResultSchema,
  FileErrorSchema,
]);

/** The signer's answer to a batch, one result per file in request order. */
export const SignBatchResponseSchema = z.strictObject({ files: z.array(FileResultSchema) });

/** One part a client asks to upload. */
export const PartRequestSchema = z.strictObject({
  partNumber: z.number().int().min(1).max(10_000),
  size: z.number().int().nonnegative(),
  md5: Md5Schema,
});

/** POST /v1/multipart/parts: part URLs for one upload. */
export const SignPartsRequestSchema = z.strictObject({
  token: z.string().min(1).max(4096),
  parts: z.array(PartRequestSchema).min(1).max(1000),
});

/** Signed part URLs. */
export const SignPartsResponseSchema = z.strictObject({
  parts: z.array(
    z.strictObject({ partNumber: z.number().int(), url: z.string(), headers: HeadersSchema, expiresAt: z.string() }),
  ),
});

/** POST /v1/multipart/list, /complete and /abort: an upload named by its token. */
export const UploadRefSchema = z.strictObject({ token: z.string().min(1).max(4096) });

/** Parts S3 already holds for an upload. */
export const ListPartsResponseSchema = z.strictObject({
  parts: z.array(z.strictObject({ partNumber: z.number().int(), size: z.number().int(), etag: z.string() })),
});

/** A completed multipart upload. */
export const CompleteResponseSchema = z.strictObject({ key: z.string(), etag: z.string(), size: z.number().int() });

/** POST /v1/links: view links for objects the caller uploaded, named by key. */
export const LinksRequestSchema = z.strictObject({
  keys: z.array(z.string().min(1).max(1024)).min(1).max(1000),
});

/** A view link to one object, with what S3 holds there. */
export const LinkSchema = z.strictObject({
  status: z.literal('ok'),
  key: z.string(),
  url: z.string(),
  expiresAt: z.string(),
  /** `attachment` for any type a browser could run (HTML, SVG, scripts) or that is not known to be inert. */
  disposition: z.enum(['inline', 'attachment']),
  etag: z.string(),
  size: z.number().int(),
  contentType: z.string(),
});

/** A key the signer gives no link for: not the caller's, or no object there. */
export const LinkErrorSchema = z.strictObject({
  status: z.literal('error'),
  key: z.string(),
  code: z.enum(['forbidden', 'not-found']),
  message: z.string(),
});

/** The signer's answer to a links request, one result per key in request order. */
export const LinksResponseSchema = z.strictObject({
  links: z.array(z.discriminatedUnion('status', [LinkSchema, LinkErrorSchema])),
});

/** Where a caller stands with one quota. */
export const QuotaStatusSchema = z.strictObject({
  name: z.enum(['bytesPerDay', 'filesPerDay', 'filesPerBatch']),
  limit: z.number().int(),
  remaining: z.number().int(),
  /** When the day's count starts again; null before the first signed file (or for a per-batch quota). */
  resetsAt: z.string().nullable(),
  /** The quota in words: `10 GB a day`. */
  description: z.string(),
});

/** GET /v1/policy: what the caller may do. */
export const PolicySchema = z.strictObject({
  user: z.string(),
  prefix: z.string(),
  maxFileSize: z.number().int(),
  allowedTypes: z.array(z.string()),
  maxFilesPerBatch: z.number().int(),
  maxBodyBytes: z.number().int(),
  multipartThreshold: z.number().int(),
  partSize: z.number().int(),
  putUrlTtlSeconds: z.number().int(),
  viewUrlTtlSeconds: z.number().int(),
  overwrite: z.boolean(),
  /**
   * The folders this caller may upload into (a batch must then name a destination), or null for any;
   * signers older than destinations leave it out.
   */
  destinations: z.array(z.string()).nullish(),
  /** The caller's quotas and what is left of them; signers older than quotas leave it out. */
  quotas: z.array(QuotaStatusSchema).optional(),
  /**
   * A page that shows a folder of the caller's, with `{path}` where the folder's key prefix goes
   * (URL-encoded); present only where the signer's admin configured one.
   */
  browseUrl: z.url({ protocol: /^https?$/u }).optional(),
});

/** GET /healthz (no token needed): the signer runs, and its version (signers before 0.1 leave it out). */
export const HealthSchema = z.object({ ok: z.boolean(), version: z.string().optional() });

/** GET /v1/sign-in (no token needed): how a client signs in, when the signer trusts an OpenID provider. */
export const SignInInfoSchema = z.strictObject({
  oidc: z
    .strictObject({
      issuer: z.string(),
      clientId: z.string(),
      audience: z.string(),
      scopes: z.array(z.string()),
    })
    .nullable(),
});

/** The JSON body of every error answer. */
export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.enum(SIGNER_ERROR_CODES), message: z.string(), field: z.string().optional() }),
});

export type FileRequest = z.infer<typeof FileRequestSchema>;
export type SignBatchRequest = z.infer<typeof SignBatchRequestSchema>;
export type ConflictIntent = NonNullable<FileRequest['conflict']>;
export type DestinationObject = z.infer<typeof DestinationObjectSchema>;
export type ListDestinationResponse = z.infer<typeof ListDestinationResponseSchema>;
export type ListFoldersResponse = z.infer<typeof ListFoldersResponseSchema>;
export type PutResult = z.infer<typeof PutResultSchema>;
export type MultipartResult = z.infer<typeof MultipartResultSchema>;
export type FileError = z.infer<typeof FileErrorSchema>;
export type FileResult = z.infer<typeof FileResultSchema>;
export type SignBatchResponse = z.infer<typeof SignBatchResponseSchema>;
export type PartRequest = z.infer<typeof PartRequestSchema>;
export type SignPartsResponse = z.infer<typeof SignPartsResponseSchema>;
export type ListPartsResponse = z.infer<typeof ListPartsResponseSchema>;
export type CompleteResponse = z.infer<typeof CompleteResponseSchema>;
export type Policy = z.infer<typeof PolicySchema>;
export type SignInInfo = z.infer<typeof SignInInfoSchema>;
export type QuotaStatus = z.infer<typeof QuotaStatusSchema>;
export type Link = z.infer<typeof LinkSchema>;
export type LinkResult = z.infer<typeof LinksResponseSchema>['links'][number];
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
