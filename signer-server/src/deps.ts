import type { StoreGuard } from './access/store-guard';
import type { BucketUrls } from './bucket-urls';
import type { SignerConfig } from './config';
import type { Storage } from './storage';
import type { UploadTokens } from './upload-token';
import type { Quotas } from './limits/quotas';
import type { Audit } from './observability/audit';
import type { SignerMetrics } from './observability/metrics';

/**
 * What the routes share: settings, the bucket (the signer's own client, and through `guard` each caller's
 * scoped one), its URL presigner, the token signer and the quotas.
 */
export interface SignerDeps {
  /** Set once the signer is shutting down: /readyz answers 503 from then on. */
  lifecycle: { readonly draining: boolean };
  guard: StoreGuard;
  quotas: Quotas;
  audit: Audit;
  metrics: SignerMetrics;
  config: SignerConfig;
  storage: Storage;
  urls: BucketUrls;
  tokens: UploadTokens;
}
