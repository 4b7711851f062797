import type { BucketUrls } from './bucket-urls';
import type { SignerConfig } from './config';
import type { Storage } from './storage';
import type { UploadTokens } from './upload-token';

/** What the routes share: settings, the bucket, its URL presigner and the token signer. */
export interface SignerDeps {
  config: SignerConfig;
  storage: Storage;
  urls: BucketUrls;
  tokens: UploadTokens;
}
