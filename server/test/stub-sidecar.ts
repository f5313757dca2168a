/**
 * Stand-in of the sidecar's local HTTP API for fast unit tests of the SDK's transports: tokens
 * are plain strings registered by the test, consumed once; no NATS, no certificate. It
 * implements the contract (@playgap/protocol/sidecar-api): `const api: SidecarApi` is the
 * compile-time check, bodies are validated with the contract's schemas, refusals carry the
 * contract's statuses, and sidecar-contract.test.ts runs one suite against it and the real
 * sidecar, so the two cannot drift.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ErrorCode,
  formatReconnectCredential,
  type PortMapping,
  parseReconnectCredential,
  ServerState,
} from '@playgap/protocol';
import {
  BACKFILL_EXPIRY_SECONDS,
  type SidecarApi,
  type SidecarBackfill,
  type SidecarEventData,
  type SidecarOperation,
  type SidecarRequest,
  type SidecarResponse,
  type SidecarServerInfo,
  type SidecarShutdownReason,
  sidecarEventsRoute,
  sidecarRoutes,
  sidecarStatusOf,
} from '@playgap/protocol/sidecar-api';
import { Ajv, type ValidateFunction } from 'ajv';

export interface StubSidecar {
  url: string;
  /** Every ready body, in order. */
  ready: SidecarRequest<'ready'>[];
  disconnects: string[];
  /** Every accepted reconnect's client id, in order. */
  reconnects: string[];
  heartbeats: number;
  /** Register a token the verify endpoint will accept once. */
  addToken(token: string, clientId: string, name?: string): void;
  /** Make the verify endpoint refuse this token with `code` (status: the contract's for it). */
  refuseToken(token: string, code: string, status?: number): void;
  /** Put a match on the stand-in (GET /v1/match, and what a backfill may name). */
  addMatch(match: SidecarResponse<'match'>['matches'][number]): void;
  removeMatch(matchId: string): void;
  /** Play a matchmaker: place `playerIds` into backfill `backfillId` (the `backfill` event follows). */
  fillBackfill(backfillId: string, playerIds: string[]): void;
  /** Push a server-sent event to every follower of /v1/events. */
  push<E extends keyof SidecarEventData>(event: E, data: SidecarEventData[E]): void;
  followers(): number;
  close(): Promise<void>;
}

/** A refusal the stand-in answers with `{code, message}`. */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = sidecarStatusOf(code),
  ) {
    super(message);
  }
}

// Same validation settings as the sidecar's fastify app (app.ts).
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false });
ajv.addKeyword('example');
const validators = new Map<string, ValidateFunction>(
  Object.values(sidecarRoutes).flatMap((route) =>
    'body' in route
      ? [[`${route.method} ${route.url}`, ajv.compile(route.body)]]
      : 'params' in route
        ? [[`${route.method} ${route.url}`, ajv.compile(route.params)]]
        : [],
  ),
);

export async function startStubSidecar(options: {
  ports: Record<string, PortMapping>;
  publicIp?: string;
  /** The certificate the info names; without one, WebTransport does not start. */
  certFile?: string;
  keyFile?: string;
  /** Listen on this port (default: any free one). */
  port?: number;
  /** Hold a dropped player's seat this long for a reconnect (default 0: freed at once). */
  graceMs?: number;
}): Promise<StubSidecar> {
  const graceMs = options.graceMs ?? 0;
  /** Client id → its latest reconnect secret (undefined once spent) and grace timer. */
  const held = new Map<
    string,
    { secret: string | undefined; name?: string; grace?: NodeJS.Timeout }
  >();
  const grant = (clientId: string) => {
    const secret = randomBytes(32).toString('base64url');
    const entry = held.get(clientId) ?? {};
    held.set(clientId, { ...entry, secret });
    return {
      credential: formatReconnectCredential({ serverId: info.serverId, clientId, secret }),
      graceMs,
    };
  };
  const free = (clientId: string) => {
    clearTimeout(held.get(clientId)?.grace);
    held.delete(clientId);
    connected.delete(clientId);
    if (info.state === ServerState.DRAINING && connected.size === 0) stop('drained');
  };
  const tokens = new Map<string, { clientId: string; name?: string; used: boolean }>();
  const refusals = new Map<string, { code: string; status: number }>();
  const connected = new Set<string>();
  const sse = new Set<ServerResponse>();
  const state = {
    ready: [] as SidecarRequest<'ready'>[],
    disconnects: [] as string[],
    reconnects: [] as string[],
    heartbeats: 0,
  };
  const info: SidecarServerInfo = {
    serverId: 'stub-1',
    app: 'arena',
    version: '1',
    publicIp: options.publicIp ?? '127.0.0.1',
    ports: options.ports,
    transports: [],
    // Empty names: the SDK starts WebTransport only when the info names a certificate.
    certFile: options.certFile ?? '',
    keyFile: options.keyFile ?? '',
    certDigest: '',
    certHashBase64: '',
    certNotAfter: 0,
    capacity: 8,
    players: 0,
    state: ServerState.STARTING,
  };

  const matches: SidecarResponse<'match'>['matches'] = [];
  const backfills = new Map<string, SidecarBackfill & { timer: NodeJS.Timeout }>();
  let backfillIds = 0;
  const endBackfill = (id: string, state: 'filled' | 'expired' | 'withdrawn') => {
    const b = backfills.get(id);
    if (!b) return;
    clearTimeout(b.timer);
    backfills.delete(id);
    const { backfillId, matchId, count, filled, playerIds } = b;
    push('backfill', { backfillId, matchId, state, count, filled, playerIds });
  };

  const api: SidecarApi = {
    match: () => ({ matches }),
    requestBackfill: (body) => {
      if (info.state === ServerState.DRAINING || info.state === ServerState.STOPPING) {
        throw new Refusal(ErrorCode.SERVER_DRAINING, 'The server is draining.');
      }
      if (info.state !== ServerState.READY) {
        throw new Refusal(ErrorCode.SERVER_NOT_READY, `The server is ${info.state}.`);
      }
      const match =
        body.matchId === undefined
          ? matches.length === 1
            ? matches[0]
            : undefined
          : matches.find((m) => m.matchId === body.matchId);
      if (!match) throw new Refusal(ErrorCode.UNKNOWN_MATCH, 'No such match on this server.');
      const team = body.team === undefined || body.team === 'any' ? 'any' : body.team;
      if (team !== 'any' && !match.teams.some((t) => t.name === team)) {
        throw new Refusal(ErrorCode.UNKNOWN_TEAM, `Match ${match.matchId} has no team ${team}.`);
      }
      let promised = 0;
      for (const b of backfills.values()) promised += b.count - b.playerIds.length;
      const seated = matches.reduce((n, m) => n + m.players.length, 0);
      const room = info.capacity - Math.max(connected.size, seated) - promised;
      if (body.count > room) {
        throw new Refusal(ErrorCode.BACKFILL_NO_ROOM, `Only ${room} free seat(s).`);
      }
      const backfillId = `stub-backfill-${++backfillIds}`;
      const seconds = body.expiresInSeconds ?? BACKFILL_EXPIRY_SECONDS.default;
      const expiresAt = Date.now() + seconds * 1000;
      const timer = setTimeout(() => endBackfill(backfillId, 'expired'), seconds * 1000);
      backfills.set(backfillId, {
        backfillId,
        matchId: match.matchId,
        mode: match.mode,
        team,
        count: body.count,
        filled: 0,
        playerIds: [],
        expiresAt,
        timer,
      });
      return { backfillId, expiresAt };
    },
    backfills: () => ({
      backfills: [...backfills.values()].map(({ timer: _t, ...b }) => b),
    }),
    withdrawBackfill: ({ backfillId }) => {
      if (!backfills.has(backfillId)) {
        throw new Refusal(ErrorCode.UNKNOWN_BACKFILL, `No open backfill ${backfillId}.`);
      }
      endBackfill(backfillId, 'withdrawn');
      return { ok: true };
    },
    health: () => ({
      status: 'ok',
      nats: 'connected',
      state: info.state,
      players: connected.size,
      uptimeMs: 0,
      memory: { rssMb: 0, heapUsedMb: 0 },
    }),
    info: () => ({ ...info, players: connected.size }),
    ready: (body) => {
      if (info.state === ServerState.DRAINING || info.state === ServerState.STOPPING) {
        throw new Refusal(ErrorCode.SERVER_DRAINING, `The server is ${info.state}.`, 409);
      }
      for (const offer of body.transports) {
        for (const name of [offer.port, offer.dataPort]) {
          if (name !== undefined && !options.ports[name]) {
            throw new Refusal(ErrorCode.BAD_REQUEST, `No port ${JSON.stringify(name)}.`);
          }
        }
      }
      state.ready.push(body);
      info.transports = body.transports;
      if (body.capacity !== undefined) info.capacity = body.capacity;
      info.state = ServerState.READY;
      return api.info();
    },
    capacity: (body) => {
      info.capacity = body.capacity;
      return api.info();
    },
    verify: ({ token }) => {
      const refusal = refusals.get(token);
      if (refusal) throw new Refusal(refusal.code, `refused: ${refusal.code}`, refusal.status);
      if (info.state === ServerState.DRAINING || info.state === ServerState.STOPPING) {
        throw new Refusal(ErrorCode.SERVER_DRAINING, 'The server is draining.');
      }
      if (info.state !== ServerState.READY) {
        throw new Refusal(ErrorCode.SERVER_NOT_READY, `The server is ${info.state}.`);
      }
      const entry = tokens.get(token);
      if (!entry) throw new Refusal(ErrorCode.TOKEN_MALFORMED, 'unknown token');
      if (entry.used) throw new Refusal(ErrorCode.TOKEN_REPLAYED, 'used');
      entry.used = true;
      connected.add(entry.clientId);
      const player = entry.name === undefined ? {} : { name: entry.name };
      return {
        clientId: entry.clientId,
        player,
        userData: Buffer.alloc(256).toString('base64'),
        seat: 0,
        expiresAt: 0,
        ...(graceMs > 0 ? { reconnect: grant(entry.clientId) } : {}),
      };
    },
    reconnect: ({ credential }) => {
      if (info.state === ServerState.STOPPING) {
        throw new Refusal(ErrorCode.SERVER_DRAINING, 'The server is stopping.');
      }
      const parts = parseReconnectCredential(credential);
      if (!parts || parts.serverId !== info.serverId) {
        throw new Refusal(ErrorCode.RECONNECT_REFUSED, 'Not a credential of this server.');
      }
      const entry = held.get(parts.clientId);
      if (!entry || !connected.has(parts.clientId)) {
        throw new Refusal(ErrorCode.RECONNECT_EXPIRED, 'No seat is held for this client.');
      }
      if (entry.secret !== parts.secret) {
        throw new Refusal(ErrorCode.RECONNECT_REFUSED, 'Not the latest credential.');
      }
      clearTimeout(entry.grace);
      held.set(parts.clientId, { secret: undefined });
      state.reconnects.push(parts.clientId);
      const name = [...tokens.values()].find((t) => t.clientId === parts.clientId)?.name;
      return {
        clientId: parts.clientId,
        player: name === undefined ? {} : { name },
        userData: Buffer.alloc(256).toString('base64'),
        seat: 0,
        reconnect: grant(parts.clientId),
      };
    },
    disconnect: ({ clientId, final }) => {
      state.disconnects.push(clientId);
      if (!connected.has(clientId)) {
        throw new Refusal(ErrorCode.UNKNOWN_CLIENT, `Client ${clientId} is not connected.`);
      }
      const entry = held.get(clientId);
      if (final || graceMs === 0 || !entry || info.state === ServerState.STOPPING) {
        free(clientId);
        return { ok: true };
      }
      if (!entry.grace) {
        entry.grace = setTimeout(() => {
          free(clientId);
          push('left', { clientId });
        }, graceMs);
      }
      return { ok: true, graceMs };
    },
    heartbeat: () => {
      state.heartbeats++;
      return { ok: true, state: info.state };
    },
    drain: () => {
      if (info.state === ServerState.STOPPING || info.state === ServerState.DRAINING) {
        return { ok: true, state: info.state };
      }
      info.state = ServerState.DRAINING;
      push('drain', { state: info.state });
      // As the sidecar: a drained server with no one on it stops at once.
      if (connected.size === 0) stop('drained');
      return { ok: true, state: info.state };
    },
    shutdown: () => {
      stop('requested');
      return { ok: true };
    },
  };
  /** The stand-in never exits; it only says it stops, as the sidecar does before it exits. */
  const stop = (reason: SidecarShutdownReason) => {
    if (info.state === ServerState.STOPPING) return;
    info.state = ServerState.STOPPING;
    push('shutdown', { reason });
  };

  const push: StubSidecar['push'] = (event, data) => {
    for (const res of sse) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new Refusal(ErrorCode.BAD_REQUEST, 'The body is not valid JSON.');
    }
  };
  const routes = new Map(
    Object.entries(sidecarRoutes).map(([name, route]) => [
      `${route.method} ${route.url}`,
      { name: name as SidecarOperation, status: route.status, params: 'params' in route },
    ]),
  );
  /** The route of `method url` and its path parameters (`/v1/backfill/:backfillId`). */
  const routeOf = (method: string, url: string) => {
    const exact = routes.get(`${method} ${url}`);
    if (exact) return { key: `${method} ${url}`, route: exact, params: undefined };
    for (const [key, route] of routes) {
      if (!route.params) continue;
      const [m, pattern] = key.split(' ') as [string, string];
      if (m !== method) continue;
      const names: string[] = [];
      const re = new RegExp(
        `^${pattern.replace(/:([A-Za-z]+)/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      const found = re.exec(url);
      if (!found) continue;
      const params = Object.fromEntries(
        names.map((n, i) => [n, decodeURIComponent(found[i + 1] as string)]),
      );
      return { key, route, params };
    }
    return undefined;
  };

  const server = createServer(async (req, res) => {
    const key = `${req.method} ${req.url}`;
    if (key === `${sidecarEventsRoute.method} ${sidecarEventsRoute.url}`) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
      return;
    }
    const found = routeOf(req.method ?? '', req.url ?? '');
    if (!found) return send(res, 404, { code: ErrorCode.NOT_FOUND, message: `No route ${key}.` });
    const { route } = found;
    try {
      const body = found.params ?? (await readJson(req));
      const validate = validators.get(found.key);
      if (validate && !validate(body)) {
        throw new Refusal(
          ErrorCode.BAD_REQUEST,
          `Invalid request: ${ajv.errorsText(validate.errors)}`,
        );
      }
      const operation = api[route.name] as (body: unknown) => unknown;
      send(res, route.status, await operation(body));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      send(res, error.status, { code: error.code, message: error.message });
    }
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get ready() {
      return state.ready;
    },
    get disconnects() {
      return state.disconnects;
    },
    get reconnects() {
      return state.reconnects;
    },
    get heartbeats() {
      return state.heartbeats;
    },
    addToken(token, clientId, name) {
      tokens.set(
        token,
        name === undefined ? { clientId, used: false } : { clientId, name, used: false },
      );
    },
    refuseToken(token, code, status = sidecarStatusOf(code)) {
      refusals.set(token, { code, status });
    },
    addMatch: (match) => {
      matches.push(match);
    },
    removeMatch: (matchId) => {
      const at = matches.findIndex((m) => m.matchId === matchId);
      if (at >= 0) matches.splice(at, 1);
    },
    fillBackfill: (backfillId, playerIds) => {
      const b = backfills.get(backfillId);
      if (!b) return;
      b.playerIds.push(...playerIds);
      b.filled = b.playerIds.length;
      const done = b.filled >= b.count;
      if (done) endBackfill(backfillId, 'filled');
      else {
        const { matchId, count, filled } = b;
        push('backfill', {
          backfillId,
          matchId,
          state: 'open',
          count,
          filled,
          playerIds: [...b.playerIds],
        });
      }
    },
    push,
    followers: () => sse.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of sse) res.end();
        for (const entry of held.values()) clearTimeout(entry.grace);
        for (const b of backfills.values()) clearTimeout(b.timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
