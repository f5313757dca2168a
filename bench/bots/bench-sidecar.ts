/**
 * A stand-in for the sidecar's local API for the capacity bench only: it admits any token
 * `bench-<n>` as client `<n>` without NATS, so the bench measures the game server alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startBenchSidecar(
  ports: Record<string, number>,
): Promise<{ url: string; close(): void }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>)
      : {};
    const send = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    if (req.url === '/v1/info') {
      return send(200, {
        serverId: 'bench',
        app: 'arena',
        version: '1',
        publicIp: '127.0.0.1',
        ports: Object.fromEntries(
          Object.entries(ports).map(([name, p]) => [
            name,
            { name, internal: p, external: p, protocol: name === 'rtc' ? 'UDP' : 'TCP' },
          ]),
        ),
        capacity: 10_000,
        players: 0,
        state: 'starting',
      });
    }
    if (req.url === '/v1/tokens/verify') {
      const m = /^bench-(\d+)$/.exec(body['token'] ?? '');
      if (!m) return send(401, { code: 'TOKEN_MALFORMED', message: 'not a bench token' });
      return send(200, {
        clientId: m[1],
        player: { name: `bot-${m[1]}` },
        userData: {},
        seat: Number(m[1]),
        expiresAt: 0,
      });
    }
    if (req.url === '/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': bench\n\n');
      return;
    }
    send(200, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
