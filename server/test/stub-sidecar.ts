/**
 * Test double of the sidecar's local HTTP API (docs/sidecar-api.md) for fast unit tests of
 * the SDK's transports: tokens are plain strings registered by the test, consumed once.
 * The real sidecar (with NATS and real connect tokens) is exercised in sidecar.int.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PortMapping, TransportOffer } from '@playgap/protocol';

export interface StubSidecar {
  url: string;
  ready: { transports: TransportOffer[]; capacity?: number }[];
  disconnects: string[];
  heartbeats: number;
  /** Register a token the verify endpoint will accept once. */
  addToken(token: string, clientId: string, name?: string): void;
  /** Make the verify endpoint refuse this token with `code`. */
  refuseToken(token: string, code: string, status?: number): void;
  /** Push a server-sent event to every follower of /v1/events. */
  push(event: string, data?: unknown): void;
  followers(): number;
  close(): Promise<void>;
}

export async function startStubSidecar(info: {
  ports: Record<string, PortMapping>;
  publicIp?: string;
  certFile?: string;
  keyFile?: string;
  /** Listen on this port (default: any free one). */
  port?: number;
}): Promise<StubSidecar> {
  const tokens = new Map<string, { clientId: string; name?: string; used: boolean }>();
  const refusals = new Map<string, { code: string; status: number }>();
  const sse = new Set<ServerResponse>();
  const state: Pick<StubSidecar, 'ready' | 'disconnects' | 'heartbeats'> = {
    ready: [],
    disconnects: [],
    heartbeats: 0,
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const body = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
  };
  const server = createServer(async (req, res) => {
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /v1/info') {
      return send(res, 200, {
        serverId: 'stub-1',
        app: 'arena',
        version: '1',
        publicIp: info.publicIp ?? '127.0.0.1',
        ports: info.ports,
        certFile: info.certFile,
        keyFile: info.keyFile,
        capacity: 8,
        players: 0,
        state: 'starting',
      });
    }
    if (route === 'POST /v1/ready') {
      state.ready.push((await body(req)) as never);
      return send(res, 200, {});
    }
    if (route === 'POST /v1/heartbeat') {
      state.heartbeats++;
      return send(res, 200, {});
    }
    if (route === 'POST /v1/disconnect') {
      state.disconnects.push(String((await body(req)).clientId));
      return send(res, 200, {});
    }
    if (route === 'POST /v1/tokens/verify') {
      const token = String((await body(req)).token);
      const refusal = refusals.get(token);
      if (refusal)
        return send(res, refusal.status, {
          code: refusal.code,
          message: `refused: ${refusal.code}`,
        });
      const entry = tokens.get(token);
      if (!entry) return send(res, 400, { code: 'TOKEN_MALFORMED', message: 'unknown token' });
      if (entry.used) return send(res, 409, { code: 'TOKEN_REPLAYED', message: 'used' });
      entry.used = true;
      return send(res, 200, {
        clientId: entry.clientId,
        player: { name: entry.name },
        userData: {},
        seat: 0,
        expiresAt: 0,
      });
    }
    if (route === 'GET /v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': hello\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
      return;
    }
    send(res, 404, { code: 'NOT_FOUND', message: route });
  });
  await new Promise<void>((r) => server.listen(info.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get ready() {
      return state.ready;
    },
    get disconnects() {
      return state.disconnects;
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
    refuseToken(token, code, status = 401) {
      refusals.set(token, { code, status });
    },
    push(event, data = {}) {
      for (const res of sse) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    followers: () => sse.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of sse) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Poll `check` until it returns truthy, or fail after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
