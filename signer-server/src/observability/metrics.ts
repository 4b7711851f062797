import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SIGNER_VERSION } from '../version';
import type { FileResult } from '@hoist/protocol';

/**
 * The signer's Prometheus metrics, in a registry of its own: the process and Node's own (CPU, memory,
 * event loop, GC), the build, requests by route and status, their latency, signed files and bytes, refusals by reason, completed multipart uploads.
 */
export class SignerMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'hoist_signer_requests_total',
    help: 'Requests answered, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'hoist_signer_request_duration_seconds',
    help: 'Time to answer a request, by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly #files = new Counter({
    name: 'hoist_signer_signed_files_total',
    help: 'Files signed, by kind (put or multipart)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly #bytes = new Counter({
    name: 'hoist_signer_signed_bytes_total',
    help: 'Bytes of the files signed',
    registers: [this.registry],
  });
  readonly #refusals = new Counter({
    name: 'hoist_signer_refusals_total',
    help: 'Refused requests and files, by reason (the error code)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly #completed = new Counter({
    name: 'hoist_signer_multipart_completed_total',
    help: 'Multipart uploads completed',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'hoist_signer_build_info',
      help: "The signer's version and the Node it runs on (always 1)",
      labelNames: ['version', 'node'] as const,
      registers: [this.registry],
    }).set({ version: SIGNER_VERSION, node: process.version }, 1);
  }

  readonly #scoped = new Gauge({
    name: 'hoist_signer_scoped_credentials',
    help: "1 when each user's URLs are signed with a role session limited to their keys, 0 when with the signer's own credentials",
    registers: [this.registry],
  });
  readonly #unsigned = new Gauge({
    name: 'hoist_signer_store_accepts_unsigned_headers',
    help: 'What the last store probe found: 1 the store accepts headers a URL did not sign (CVE-2026-54330), 0 it refuses them, -1 unknown',
    registers: [this.registry],
  });
  readonly #sessions = new Counter({
    name: 'hoist_signer_scoped_sessions_total',
    help: 'Role sessions STS granted for users',
    registers: [this.registry],
  });

  /** Records how URLs are signed: scoped per user, or with the signer's own credentials. */
  scopedCredentials(scoped: boolean): void {
    this.#scoped.set(scoped ? 1 : 0);
  }

  /** Records the store probe's verdict on unsigned headers. */
  unsignedHeaders(verdict: 'accepted' | 'refused' | 'unknown'): void {
    this.#unsigned.set({ accepted: 1, refused: 0, unknown: -1 }[verdict]);
  }

  /** Counts one role session granted. */
  sessionAssumed(): void {
    this.#sessions.inc();
  }

  /** Koa middleware: counts and times every request, and counts a refused one by its error code. */
  middleware(): Middleware {
    return async (ctx, next) => {
      const stop = this.#latency.startTimer();
      try {
        await next();
      } finally {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        stop({ route });
        this.#requests.inc({ method: ctx.method, route, status: String(ctx.status) });
        const code = (ctx.body as { error?: { code?: unknown } } | undefined)?.error?.code;
        if (ctx.status >= 400 && typeof code === 'string') this.#refusals.inc({ reason: code });
      }
    };
  }

  /** Counts one file's signing answer: signed (and its bytes), or refused by its code. */
  fileSigned(result: FileResult, size: number): void {
    if (result.status === 'error') {
      this.#refusals.inc({ reason: result.code });
      return;
    }
    this.#files.inc({ kind: result.status });
    this.#bytes.inc(size);
  }

  /** Counts one completed multipart upload. */
  multipartCompleted(): void {
    this.#completed.inc();
  }
}
