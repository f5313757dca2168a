import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PortMapping, ServerLocation, ServerState, TransportOffer } from '../records.js';
import {
  type FromSchema,
  type SidecarApi,
  type SidecarRequest,
  type SidecarServerInfo,
  type SidecarShutdownReason,
  sidecarOpenApi,
  sidecarRoutes,
} from './index.js';

describe('the sidecar API contract', () => {
  it('derives the record types of protocol/ from its schemas, so the two cannot differ', () => {
    expectTypeOf<SidecarServerInfo['state']>().toEqualTypeOf<ServerState>();
    expectTypeOf<SidecarServerInfo['transports'][number]>().toEqualTypeOf<TransportOffer>();
    expectTypeOf<SidecarServerInfo['ports']>().toEqualTypeOf<Record<string, PortMapping>>();
    expectTypeOf<NonNullable<SidecarServerInfo['location']>>().toEqualTypeOf<ServerLocation>();
    expectTypeOf<SidecarRequest<'ready'>>().toEqualTypeOf<{
      transports: TransportOffer[];
      capacity?: number;
    }>();
    expectTypeOf<SidecarRequest<'info'>>().toEqualTypeOf<undefined>();
    expectTypeOf<SidecarShutdownReason>().toEqualTypeOf<
      'requested' | 'drained' | 'idle' | 'ready-timeout' | 'unhealthy' | 'signal' | 'child-exited'
    >();
    expectTypeOf<Parameters<SidecarApi['verify']>[0]>().toEqualTypeOf<{ token: string }>();
    // A route with a path parameter takes it as its request.
    expectTypeOf<SidecarRequest<'withdrawBackfill'>>().toEqualTypeOf<{ backfillId: string }>();
  });

  it('types a schema the way JSON Schema reads it', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'string', enum: ['x', 'y'] },
        b: { type: 'array', items: { type: 'integer' } },
        c: { type: 'object', additionalProperties: { type: 'boolean' } },
      },
    } as const;
    expectTypeOf<FromSchema<typeof schema>>().toEqualTypeOf<{
      a: 'x' | 'y';
      b?: number[];
      c?: Record<string, boolean>;
    }>();
  });

  it('documents every route once, with its request and answer schemas', () => {
    const doc = sidecarOpenApi() as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: object }>>;
      components: { schemas: Record<string, unknown> };
    };
    const operations = Object.entries(doc.paths).flatMap(([url, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${url}`),
    );
    expect(operations).toEqual([
      ...Object.values(sidecarRoutes).map(
        (r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`,
      ),
      'GET /v1/events',
    ]);
    expect(doc.paths['/v1/tokens/verify']?.['post']?.requestBody).toEqual({
      required: true,
      content: {
        'application/json': { schema: sidecarRoutes.verify.body },
      },
    });
    expect(Object.keys(doc.paths['/v1/tokens/verify']?.['post']?.responses ?? {})).toEqual([
      '200',
      '400',
      '401',
      '409',
      '413',
      '503',
    ]);
    // A path parameter is declared, with its schema.
    expect(doc.paths['/v1/backfill/{backfillId}']?.['delete']).toMatchObject({
      parameters: [{ name: 'backfillId', in: 'path', required: true }],
    });
    // A named schema is printed once, under components, and referenced everywhere else.
    expect(JSON.stringify(doc.paths)).not.toContain('"certHashBase64"');
    expect(doc.components.schemas['ServerInfo']).toBeDefined();
  });
});
