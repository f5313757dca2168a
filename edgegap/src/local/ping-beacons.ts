/**
 * Browser-usable ping endpoints, one per configured location, each on its own port so they
 * are distinct endpoints as Edgegap's beacons are: `GET /ping` answers 200 with CORS open to
 * every origin and `cache-control: no-store`, after the location's `ping_delay_ms` (on the
 * injected clock). edgegap-local lists them at `GET /v1/locations/beacons`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalClock } from './clock.js';
import { type LocalLocationConfig, type LocationView, locationView } from './locations.js';

/** One listening ping endpoint. */
export interface PingBeacon {
  location: LocalLocationConfig;
  host: string;
  port: number;
  /** `http://host:port/ping`. */
  pingUrl: string;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-max-age': '600',
  'cache-control': 'no-store',
};

function answer(
  location: LocalLocationConfig,
  clock: LocalClock,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'OPTIONS') {
    response.writeHead(204, CORS).end();
    return;
  }
  if (request.method !== 'GET' || path !== '/ping') {
    response.writeHead(404, { ...CORS, 'content-type': 'application/json' });
    response.end('{"message":"ping endpoints answer GET /ping"}');
    return;
  }
  const send = () => {
    if (response.destroyed) return;
    response.writeHead(200, { ...CORS, 'content-type': 'application/json' });
    response.end(JSON.stringify({ city: location.city }));
  };
  const delay = location.ping_delay_ms ?? 0;
  if (delay > 0) clock.setTimeout(send, delay);
  else send();
}

/**
 * Start one ping endpoint per location on `host` (free ports).
 *
 * @example
 * const beacons = await startPingBeacons(locations, '127.0.0.1', systemLocalClock);
 * await beacons.close();
 */
export async function startPingBeacons(
  locations: readonly LocalLocationConfig[],
  host: string,
  clock: LocalClock,
): Promise<{ beacons: PingBeacon[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  const beacons: PingBeacon[] = [];
  const close = async () => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  try {
    for (const location of locations) {
      const server = createServer((req, res) => answer(location, clock, req, res));
      server.keepAliveTimeout = 30_000;
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0 }, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : 0);
        });
      });
      beacons.push({ location, host: urlHost, port, pingUrl: `http://${urlHost}:${port}/ping` });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { beacons, close };
}

/** `GET /v1/locations/beacons` body: Edgegap's shape plus `ping_url` (edgegap-local only). */
export function beaconList(beacons: readonly PingBeacon[], fqdn: string) {
  const locations: {
    host: string;
    fqdn: string;
    tcp_port: number;
    ping_url: string;
    location: LocationView;
  }[] = beacons.map((b) => ({
    host: b.host,
    fqdn,
    tcp_port: b.port,
    ping_url: b.pingUrl,
    location: locationView(b.location),
  }));
  return { locations, count: locations.length };
}
