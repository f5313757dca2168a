// What an Edgegap error carries for the logs and the operator: the real status, Edgegap's own
// message (with v2 `details`), and its request id from the body or the `x-request-id` header;
// and the access check's verdicts. Against edgegap-local with injected faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEdgegapAccess,
  EdgegapAccessError,
  EdgegapApiError,
  EdgegapClient,
  type EdgegapLocal,
} from '../src/index.js';
import { startLocal } from './helpers.js';

let local: EdgegapLocal;
let edgegap: EdgegapClient;

beforeAll(async () => {
  local = await startLocal({
    apps: [{ name: 'game', versions: [{ name: 'v1', command: 'true', ports: [] }] }],
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await local.close();
});

async function fault(spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${local.url}/_local/faults`, {
    method: 'POST',
    headers: { authorization: `token ${local.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ times: 1, ...spec }),
  });
  expect(res.status).toBe(200);
}

describe('Edgegap error details', () => {
  it("keeps the status, Edgegap's message and the request id of the body", async () => {
    await fault({
      path: '^/v1/deployments',
      status: 401,
      body: { message: 'Invalid token', request_id: 'req-7' },
    });
    const error = (await edgegap.listDeployments().catch((e: unknown) => e)) as EdgegapApiError;
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error).toMatchObject({
      status: 401,
      edgegapMessage: 'Invalid token',
      requestId: 'req-7',
    });
    expect(error.message).toBe(
      'Edgegap GET /v1/deployments failed with HTTP 401 (request req-7): Invalid token',
    );
  });

  it('adds the details of a v2 error to the message', async () => {
    await fault({
      path: '^/v2/deployments',
      status: 400,
      body: { message: 'Validation failed', details: { users: 'at least one user' } },
    });
    const error = (await edgegap
      .deploy({ application: 'game', version: 'v1', users: [] })
      .catch((e: unknown) => e)) as EdgegapApiError;
    expect(error.edgegapMessage).toBe('Validation failed (details: {"users":"at least one user"})');
  });

  it('takes the request id from the x-request-id header when the body has none', async () => {
    const client = new EdgegapClient({
      apiUrl: 'http://127.0.0.1:1',
      apiKey: 'k',
      fetch: async () =>
        new Response(JSON.stringify({ message: 'Forbidden' }), {
          status: 403,
          headers: { 'content-type': 'application/json', 'x-request-id': 'hdr-9' },
        }),
    });
    await expect(client.getApp('game')).rejects.toMatchObject({ status: 403, requestId: 'hdr-9' });
  });
});

describe('checkEdgegapAccess', () => {
  it('passes with the key edgegap-local was started with, the app and its version', async () => {
    await expect(checkEdgegapAccess(edgegap, { app: 'game', versions: ['v1'] })).resolves.toEqual({
      deployments: 0,
    });
  });

  it('refuses a wrong key with what Edgegap said and what to do, never the key', async () => {
    const wrong = new EdgegapClient({ apiUrl: local.url, apiKey: 'wrong-key-31' });
    const error = (await checkEdgegapAccess(wrong).catch((e: unknown) => e)) as EdgegapAccessError;
    expect(error).toBeInstanceOf(EdgegapAccessError);
    expect(error).toMatchObject({ problem: 'key_refused', status: 401, code: 'EDGEGAP_ERROR' });
    expect(error.message).toBe(
      `Edgegap refused the API key (HTTP 401) at ${local.url}: "Unauthorized". Check EDGEGAP_API_KEY: it is a token from the Edgegap dashboard (User settings > Tokens), given with or without the "token " prefix, for the organisation that owns the app.`,
    );
    expect(error.message).not.toContain('wrong-key-31');
  });

  it('names a missing app and a missing version as NOT_FOUND', async () => {
    await expect(checkEdgegapAccess(edgegap, { app: 'nope' })).rejects.toMatchObject({
      problem: 'app_missing',
      code: 'NOT_FOUND',
    });
    await expect(
      checkEdgegapAccess(edgegap, { app: 'game', versions: ['v1', 'v9'] }),
    ).rejects.toMatchObject({
      problem: 'version_missing',
      message: expect.stringContaining('Edgegap has no version "v9" of app "game" (HTTP 404)'),
    });
  });

  it('throws a 5xx as it came: it says nothing about the key', async () => {
    await fault({ path: '^/v1/deployments', status: 503 });
    const error = await checkEdgegapAccess(edgegap).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgegapApiError);
    expect(error).not.toBeInstanceOf(EdgegapAccessError);
  });
});
