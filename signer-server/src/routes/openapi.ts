import Router from '@koa/router';
import * as z from 'zod';
import * as protocol from '@hoist/protocol';

const schema = (s: z.ZodType): unknown => z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const errors = {
  '400': { description: 'Invalid request; `error.field` names the field', ...json(protocol.ErrorBodySchema) },
  '401': { description: 'Missing or unknown token', ...json(protocol.ErrorBodySchema) },
  '403': { description: "Upload token invalid, expired or another user's", ...json(protocol.ErrorBodySchema) },
  '413': { description: 'Body (counted inflated) or batch too large', ...json(protocol.ErrorBodySchema) },
  '415': {
    description: 'Body not JSON, or its Content-Encoding not gzip, deflate, br or none',
    ...json(protocol.ErrorBodySchema),
  },
  '429': { description: 'Rate limited; see Retry-After', ...json(protocol.ErrorBodySchema) },
};

function post(summary: string, request: z.ZodType, response: z.ZodType | undefined) {
  return {
    post: {
      summary,
      security: [{ bearer: [] }],
      requestBody: {
        required: true,
        description: 'JSON, plain or with `Content-Encoding: gzip`, `deflate` or `br`',
        ...json(request),
      },
      responses: {
        ...(response ? { '200': { description: 'OK', ...json(response) } } : { '204': { description: 'Done' } }),
        ...errors,
      },
    },
  };
}

/** The OpenAPI 3.0 description of the signer, built from the same schemas that validate requests. */
const openApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Hoist signer', version: '1' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/v1/sign-in': {
      get: {
        summary: 'How to sign in: the OpenID provider this signer trusts, if any (no token needed)',
        responses: { '200': { description: 'OK', ...json(protocol.SignInInfoSchema) } },
      },
    },
    '/v1/policy': {
      get: {
        summary: 'What the caller may upload',
        security: [{ bearer: [] }],
        responses: { '200': { description: 'OK', ...json(protocol.PolicySchema) }, ...errors },
      },
    },
    '/v1/batches/sign': post(
      'Sign the files of one batch',
      protocol.SignBatchRequestSchema,
      protocol.SignBatchResponseSchema,
    ),
    '/v1/destinations/list': post(
      'One page of what a destination holds (path, size, ETag; with `?with=modified`, when S3 last wrote each)',
      protocol.ListDestinationRequestSchema,
      protocol.ListDestinationResponseSchema,
    ),
    '/v1/folders/list': post(
      "One page of the caller's folders (or the destinations the policy gives them)",
      protocol.ListFoldersRequestSchema,
      protocol.ListFoldersResponseSchema,
    ),
    '/v1/multipart/parts': post(
      'Sign part URLs of one multipart upload',
      protocol.SignPartsRequestSchema,
      protocol.SignPartsResponseSchema,
    ),
    '/v1/multipart/list': post('List the parts S3 holds', protocol.UploadRefSchema, protocol.ListPartsResponseSchema),
    '/v1/multipart/complete': post(
      'Check parts against the plan and complete',
      protocol.UploadRefSchema,
      protocol.CompleteResponseSchema,
    ),
    '/v1/multipart/abort': post('Abort the upload', protocol.UploadRefSchema, undefined),
    '/v1/links': post(
      "View links for the caller's uploaded objects",
      protocol.LinksRequestSchema,
      protocol.LinksResponseSchema,
    ),
    '/healthz': { get: { summary: 'Alive', responses: { '200': { description: 'OK' } } } },
    '/readyz': {
      get: {
        summary: 'Bucket reachable',
        responses: { '200': { description: 'OK' }, '503': { description: 'Bucket unreachable' } },
      },
    },
  },
};

/** GET /v1/openapi.json, without auth. */
export function openApiRoutes(): Router {
  const router = new Router();
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  return router;
}
