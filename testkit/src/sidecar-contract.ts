/**
 * One contract suite for the sidecar's local API (@playgap/protocol/sidecar-api), run against
 * every implementation: the real sidecar process and each stand-in (agones runs its SDK tests
 * against the local SDK server the same way). Every answer is checked against the contract's
 * schema for it, with no undocumented field allowed, and every refusal for its code and status.
 */
import {
  errorSchema,
  type SidecarOperation,
  sidecarEventSchemas,
  sidecarEventsRoute,
  sidecarRoutes,
  sidecarStatusOf,
  sidecarUrl,
} from '@playgap/protocol/sidecar-api';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * An implementation under test: a sidecar with a TCP port named `game` and none named `nope`,
 * holding a dropped player's seat for a reconnect for a minute or more.
 */
export interface SidecarUnderTest {
  /** Base URL of its local API, e.g. `http://127.0.0.1:7999`. */
  url: string;
  /** A token (base64) this sidecar accepts once, for client `clientId` (a decimal u64). */
  ticket(clientId: bigint): Promise<string>;
  /**
   * Put a queued mode's match on the server, as a matchmaker would (its players' seats
   * reserved); resolves with a function that takes it away again.
   */
  match(match: {
    matchId: string;
    mode: string;
    players: { playerId: string; team: string }[];
  }): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The contract's schema, closed: an object may have only the properties it documents. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? closeEach(v) : closed(v)]),
  );
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}
const closeEach = (properties: object) =>
  Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, closed(v)]));

const ajv = new Ajv({ allErrors: true });
ajv.addKeyword('example');
const answers = new Map<SidecarOperation, ValidateFunction>(
  Object.entries(sidecarRoutes).map(([name, route]) => [
    name as SidecarOperation,
    ajv.compile(closed(route.response) as object),
  ]),
);
const errorAnswer = ajv.compile(closed(errorSchema) as object);
const drainEvent = ajv.compile(closed(sidecarEventSchemas.drain) as object);
const backfillEvent = ajv.compile(closed(sidecarEventSchemas.backfill) as object);

function expectShape(validate: ValidateFunction, body: unknown, what: string): void {
  expect(
    validate(body),
    `${what}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`,
  ).toBe(true);
}

/**
 * Register the suite for one implementation. The tests run in order on one instance: from
 * starting, through ready, players and drain, to shutdown.
 *
 * @example
 * sidecarContract('the stand-in', async () => {
 *   const stub = await startStubSidecar({ ports });
 *   return { url: stub.url, ticket: async (id) => { stub.addToken(`t${id}`, String(id)); return `t${id}`; }, close: stub.close };
 * });
 */
export function sidecarContract(name: string, start: () => Promise<SidecarUnderTest>): void {
  describe(`the sidecar API contract: ${name}`, () => {
    let sidecar: SidecarUnderTest;
    beforeAll(async () => {
      sidecar = await start();
    });
    afterAll(async () => {
      await sidecar?.close();
    });

    /** Call `operation` with `body` (raw text when a string) and return status and JSON. */
    async function call(
      operation: SidecarOperation,
      body?: unknown,
    ): Promise<{ status: number; json: unknown }> {
      const route = sidecarRoutes[operation];
      const { method } = route;
      // Path parameters travel in the URL, not in a body.
      const inPath = 'params' in route;
      const url = inPath ? sidecarUrl(route.url, body as Record<string, string>) : route.url;
      const res = await fetch(`${sidecar.url}${url}`, {
        method,
        ...(body === undefined || inPath
          ? {}
          : {
              headers: { 'content-type': 'application/json' },
              body: typeof body === 'string' ? body : JSON.stringify(body),
            }),
      });
      return { status: res.status, json: await res.json() };
    }

    async function expectAnswer(operation: SidecarOperation, body?: unknown): Promise<unknown> {
      const { status, json } = await call(operation, body);
      expect(status, `${operation}: ${JSON.stringify(json)}`).toBe(sidecarRoutes[operation].status);
      expectShape(answers.get(operation)!, json, operation);
      return json;
    }

    async function expectRefusal(
      operation: SidecarOperation,
      body: unknown,
      code: string,
      expectedStatus = sidecarStatusOf(code),
    ): Promise<void> {
      const { status, json } = await call(operation, body);
      expectShape(errorAnswer, json, `${operation} refusal`);
      expect((json as { code: string }).code).toBe(code);
      expect(status, `${operation} ${code}`).toBe(expectedStatus);
      expect(
        Object.keys(sidecarRoutes[operation].errors),
        `${operation} documents ${status}`,
      ).toContain(String(status));
    }

    it('answers health and info in the contract shapes while starting', async () => {
      await expectAnswer('health');
      const info = (await expectAnswer('info')) as { state: string; ports: object };
      expect(info.state).toBe('starting');
      expect(Object.keys(info.ports)).toContain('game');
    });

    it('refuses a token before ready with SERVER_NOT_READY', async () => {
      await expectRefusal('verify', { token: await sidecar.ticket(901n) }, 'SERVER_NOT_READY');
    });

    it('refuses a backfill before ready with SERVER_NOT_READY', async () => {
      await expectRefusal('requestBackfill', { count: 1 }, 'SERVER_NOT_READY');
    });

    it('refuses bodies that break the schema or are not JSON with BAD_REQUEST', async () => {
      await expectRefusal('ready', {}, 'BAD_REQUEST');
      await expectRefusal(
        'ready',
        { transports: [{ kind: 'carrier-pigeon', port: 'game' }] },
        'BAD_REQUEST',
      );
      await expectRefusal('ready', { transports: [], extra: 1 }, 'BAD_REQUEST');
      await expectRefusal('ready', '{"transports": [', 'BAD_REQUEST');
      await expectRefusal('capacity', { capacity: 0 }, 'BAD_REQUEST');
      await expectRefusal('capacity', { capacity: 1025 }, 'BAD_REQUEST');
      await expectRefusal('capacity', { capacity: '4' }, 'BAD_REQUEST');
      await expectRefusal('verify', {}, 'BAD_REQUEST');
      await expectRefusal('verify', { token: '' }, 'BAD_REQUEST');
      await expectRefusal('disconnect', { clientId: 'abc' }, 'BAD_REQUEST');
      await expectRefusal('disconnect', { clientId: '1', final: 'yes' }, 'BAD_REQUEST');
      await expectRefusal('reconnect', {}, 'BAD_REQUEST');
      await expectRefusal('reconnect', { credential: '' }, 'BAD_REQUEST');
      await expectRefusal('reconnect', { credential: `pgr1.${'x'.repeat(2_000)}` }, 'BAD_REQUEST');
    });

    it('refuses a transport on a port the deployment lacks with BAD_REQUEST', async () => {
      await expectRefusal(
        'ready',
        { transports: [{ kind: 'websocket', port: 'nope' }] },
        'BAD_REQUEST',
      );
    });

    it('marks ready and answers the server info with the transports and capacity', async () => {
      const transports = [{ kind: 'websocket', port: 'game', path: '/ws' }];
      const info = (await expectAnswer('ready', { transports, capacity: 4 })) as Record<
        string,
        unknown
      >;
      expect(info).toMatchObject({ state: 'ready', transports, capacity: 4 });
      expect(await expectAnswer('capacity', { capacity: 6 })).toMatchObject({ capacity: 6 });
    });

    it('lists no backfill, and refuses bad backfill requests with their codes', async () => {
      expect(await expectAnswer('backfills')).toEqual({ backfills: [] });
      await expectRefusal('requestBackfill', {}, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 0 }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1025 }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: '1' }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1, team: 2 }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1, expiresInSeconds: 0 }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1, expiresInSeconds: 601 }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1, matchId: 'm'.repeat(200) }, 'BAD_REQUEST');
      await expectRefusal('requestBackfill', { count: 1, seats: 2 }, 'BAD_REQUEST');
      // No queued match was placed on this server.
      await expectRefusal('requestBackfill', { count: 1 }, 'UNKNOWN_MATCH');
      await expectRefusal('requestBackfill', { count: 1, matchId: 'nope' }, 'UNKNOWN_MATCH');
      await expectRefusal('withdrawBackfill', { backfillId: 'nope' }, 'UNKNOWN_BACKFILL');
      await expectRefusal('withdrawBackfill', { backfillId: 'x'.repeat(65) }, 'BAD_REQUEST');
    });

    it('opens, lists and withdraws a backfill for a running match, streaming its end', async () => {
      const unmatch = await sidecar.match({
        matchId: 'contract-match',
        mode: '2v2',
        players: [
          { playerId: 'pa', team: 'team-1' },
          { playerId: 'pb', team: 'team-1' },
          { playerId: 'pc', team: 'team-2' },
        ],
      });
      try {
        const created = (await expectAnswer('requestBackfill', {
          team: 'team-2',
          count: 1,
          expiresInSeconds: 30,
        })) as { backfillId: string; expiresAt: number };
        expect(created.expiresAt).toBeGreaterThan(Date.now());
        const listed = (await expectAnswer('backfills')) as { backfills: unknown[] };
        expect(listed.backfills).toMatchObject([
          {
            backfillId: created.backfillId,
            matchId: 'contract-match',
            mode: '2v2',
            team: 'team-2',
            count: 1,
            filled: 0,
            playerIds: [],
          },
        ]);
        await expectRefusal('requestBackfill', { team: 'team-3', count: 1 }, 'UNKNOWN_TEAM');
        // Capacity 6, three seats taken, one promised: two free.
        await expectRefusal('requestBackfill', { count: 3 }, 'BACKFILL_NO_ROOM');
        const abort = new AbortController();
        const res = await fetch(`${sidecar.url}${sidecarEventsRoute.url}`, {
          signal: abort.signal,
        });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let text = decoder.decode((await reader.read()).value);
        expect(await expectAnswer('withdrawBackfill', { backfillId: created.backfillId })).toEqual({
          ok: true,
        });
        while (!/event: backfill\ndata: .*\n\n/.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        abort.abort();
        const data = JSON.parse(/event: backfill\ndata: (.*)\n\n/.exec(text)?.[1] ?? 'null');
        expectShape(backfillEvent, data, 'backfill event');
        expect(data).toMatchObject({ backfillId: created.backfillId, state: 'withdrawn' });
        expect(await expectAnswer('backfills')).toEqual({ backfills: [] });
        await expectRefusal(
          'withdrawBackfill',
          { backfillId: created.backfillId },
          'UNKNOWN_BACKFILL',
        );
      } finally {
        await unmatch();
      }
    });

    /** The reconnect credential of client 902, the latest one. */
    let credential = '';

    it('admits a ticket once, answering the verify result, and refuses its replay', async () => {
      const token = await sidecar.ticket(902n);
      const admitted = (await expectAnswer('verify', { token })) as {
        clientId: string;
        reconnect?: { credential: string; graceMs: number };
      };
      expect(admitted.clientId).toBe('902');
      expect(admitted.reconnect?.credential).toMatch(/^pgr1\./);
      expect(admitted.reconnect?.graceMs).toBeGreaterThanOrEqual(60_000);
      credential = admitted.reconnect?.credential ?? '';
      expect(await expectAnswer('info')).toMatchObject({ players: 1 });
      await expectRefusal('verify', { token }, 'TOKEN_REPLAYED');
      await expectRefusal('verify', { token: 'bm90IGEgdG9rZW4=' }, 'TOKEN_MALFORMED');
    });

    it('holds a dropped seat and gives it back once per credential, with the next one', async () => {
      const held = (await expectAnswer('disconnect', { clientId: '902' })) as { graceMs?: number };
      expect(held.graceMs).toBeGreaterThan(0);
      expect(await expectAnswer('info')).toMatchObject({ players: 1 });
      const secret = credential.split('.')[3];
      await expectRefusal(
        'reconnect',
        { credential: `pgr1.elsewhere.902.${secret}` },
        'RECONNECT_REFUSED',
      );
      await expectRefusal('reconnect', { credential: 'pgr1.nope' }, 'RECONNECT_REFUSED');
      await expectRefusal('reconnect', { credential: 'bm90IGEgdG9rZW4=' }, 'RECONNECT_REFUSED');
      const back = (await expectAnswer('reconnect', { credential })) as {
        clientId: string;
        reconnect: { credential: string };
      };
      expect(back.clientId).toBe('902');
      expect(back.reconnect.credential).not.toBe(credential);
      await expectRefusal('reconnect', { credential }, 'RECONNECT_REFUSED');
      credential = back.reconnect.credential;
      // Still connected: a drop again is held again.
      expect(await expectAnswer('disconnect', { clientId: '902' })).toMatchObject({ ok: true });
    });

    it('frees the seat on a final disconnect and refuses an unknown client with UNKNOWN_CLIENT', async () => {
      expect(await expectAnswer('disconnect', { clientId: '902', final: true })).toEqual({
        ok: true,
      });
      expect(await expectAnswer('info')).toMatchObject({ players: 0 });
      await expectRefusal('reconnect', { credential }, 'RECONNECT_EXPIRED');
      await expectRefusal('disconnect', { clientId: '903' }, 'UNKNOWN_CLIENT');
    });

    it('answers a heartbeat with the state', async () => {
      expect(await expectAnswer('heartbeat')).toEqual({ ok: true, state: 'ready' });
    });

    it('answers an unknown route with NOT_FOUND', async () => {
      const res = await fetch(`${sidecar.url}/v1/nothing-here`);
      expect(res.status).toBe(404);
      const json = await res.json();
      expectShape(errorAnswer, json, 'not found');
      expect(json).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('drains with a player on: streams a drain event, then refuses tokens and ready with SERVER_DRAINING', async () => {
      await expectAnswer('verify', { token: await sidecar.ticket(905n) });
      const abort = new AbortController();
      const res = await fetch(`${sidecar.url}${sidecarEventsRoute.url}`, { signal: abort.signal });
      expect(res.status).toBe(sidecarEventsRoute.status);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value); // the comment that opens the stream
      expect(await expectAnswer('drain')).toEqual({ ok: true, state: 'draining' });
      while (!/event: drain\ndata: .*\n\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      abort.abort();
      const data = /event: drain\ndata: (.*)\n\n/.exec(text)?.[1];
      expect(data, text).toBeDefined();
      expectShape(drainEvent, JSON.parse(data!), 'drain event');
      await expectRefusal('verify', { token: await sidecar.ticket(904n) }, 'SERVER_DRAINING');
      await expectRefusal('requestBackfill', { count: 1 }, 'SERVER_DRAINING');
      // A server that drains cannot become ready again: a conflict with its state.
      await expectRefusal('ready', { transports: [] }, 'SERVER_DRAINING', 409);
    });

    it('accepts a shutdown request', async () => {
      expect(await expectAnswer('shutdown')).toEqual({ ok: true });
    });
  });
}
