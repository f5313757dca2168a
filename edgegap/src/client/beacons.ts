/**
 * Ping beacons: `GET /v1/locations/beacons`, Edgegap's list of active beacons (one per
 * location it can deploy in). Edgegap's beacons answer UDP and TCP pings, which a browser cannot
 * send; edgegap-local's also carry `ping_url`, an HTTP endpoint a page can fetch.
 */
import { type HttpTransport, shaped } from './http.js';
import { asObject, normalizeLocation, optNumber, optString, ShapeError } from './normalize.js';
import type { CallOptions, PingBeacon } from './types.js';

/** Beacons asked for in one page; Edgegap has a few dozen locations. */
const PAGE_LIMIT = 100;

function normalizeBeacon(value: unknown): PingBeacon {
  const o = asObject(value, 'beacon');
  const host = optString(o.host);
  if (!host) throw new ShapeError('a beacon has no "host"');
  const beacon: PingBeacon = { host, location: normalizeLocation(o.location) ?? {}, raw: value };
  const fqdn = optString(o.fqdn);
  if (fqdn) beacon.fqdn = fqdn;
  const tcpPort = optNumber(o.tcp_port);
  if (tcpPort !== undefined) beacon.tcpPort = tcpPort;
  const udpPort = optNumber(o.udp_port);
  if (udpPort !== undefined) beacon.udpPort = udpPort;
  const pingUrl = optString(o.ping_url);
  if (pingUrl) beacon.pingUrl = pingUrl;
  return beacon;
}

export async function listBeacons(
  http: HttpTransport,
  call?: CallOptions,
): Promise<{ beacons: PingBeacon[]; count: number }> {
  const path = '/v1/locations/beacons';
  const result = await http.request(
    { method: 'GET', path, query: { page: 1, limit: PAGE_LIMIT }, idempotent: true, limit: 'list' },
    call,
  );
  return shaped('GET', path, result.body, (b) => {
    const o = asObject(b, 'body');
    const list = o.locations ?? [];
    if (!Array.isArray(list)) throw new ShapeError('"locations" is not a list');
    const beacons = list.map(normalizeBeacon);
    return { beacons, count: optNumber(o.count) ?? beacons.length };
  });
}
