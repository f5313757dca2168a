// The API docs match the app: docs/sidecar-openapi.yaml is the contract's own OpenAPI document
// (@playgap/protocol/sidecar-api: every route's request and response schemas, not only its
// name), every route the app serves is in it and in the guide, and nothing else is served.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sidecarOpenApi } from '@playgap/protocol/sidecar-api';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { Sidecar } from '../src/sidecar.js';
import { fakeVerifier } from './fake-token.js';
import { deploymentFor, STEADY_TIMERS } from './harness.js';

const docs = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');

const OPENAPI_FILE = fileURLToPath(new URL('../../docs/sidecar-openapi.yaml', import.meta.url));

describe('sidecar API docs', () => {
  it('print the contract as docs/sidecar-openapi.yaml (regenerate: npx vitest run --project sidecar docs -u)', async () => {
    const header =
      '# Generated from protocol/src/sidecar-api by sidecar/test/docs.test.ts; edit the contract, not this file.\n';
    await expect(header + stringify(sidecarOpenApi(), { lineWidth: 100 })).toMatchFileSnapshot(
      OPENAPI_FILE,
    );
    // The file parses back to the very document, schemas and all.
    expect(parse(docs('sidecar-openapi.yaml'))).toEqual(sidecarOpenApi());
  });

  it('document every route in sidecar-openapi.yaml and sidecar-api.md, and the app serves each', async () => {
    const certDir = await mkdtemp(join(tmpdir(), 'sidecar-docs-'));
    const sidecar = new Sidecar({
      app: 'docs',
      version: 'v',
      deployment: deploymentFor('docs'),
      verifier: fakeVerifier,
      capacity: 1,
      certDir,
      ...STEADY_TIMERS,
      clock: new ManualClock(),
    });
    const app = buildApp(sidecar);
    await app.ready();
    const openapi = parse(docs('sidecar-openapi.yaml')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const guide = docs('sidecar-api.md');
    const documented = Object.entries(openapi.paths).flatMap(([url, ops]) =>
      Object.keys(ops).map((method) => ({ method, url })),
    );
    expect(documented).toHaveLength(15);
    for (const { method, url } of documented) {
      expect(
        // OpenAPI's `{name}` path parameter is fastify's `:name`.
        app.hasRoute({
          method: method.toUpperCase() as 'GET',
          url: url.replace(/\{([A-Za-z]+)\}/g, ':$1'),
        }),
        `${method} ${url} served`,
      ).toBe(true);
      expect(guide).toContain(`${method.toUpperCase()} ${url}`);
    }
    // And nothing served is undocumented: an unknown documented-looking route is a 404.
    const res = await app.inject({ method: 'GET', url: '/v1/undocumented' });
    expect(res.json().code).toBe('NOT_FOUND');
    await app.close();
    await rm(certDir, { recursive: true, force: true });
  });
});
