/**
 * Turns a server record's transports and port mappings into what the player needs: one URL per
 * transport and the `ip:port` list the connect token must name.
 */
import type { PortMapping, ServerRecord, TransportEndpoint } from '@playgap/protocol';

function portOf(server: ServerRecord, name: string): PortMapping | undefined {
  return server.ports[name];
}

function normalizePath(path: string | undefined): string {
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Endpoints of every transport the server offers, in its declared order.
 *
 * @example
 * transportEndpoints(server); // [{kind:'websocket', url:'ws://1.2.3.4:31000/', port:31000}]
 */
export function transportEndpoints(server: ServerRecord): TransportEndpoint[] {
  const endpoints: TransportEndpoint[] = [];
  for (const offer of server.transports) {
    const port = portOf(server, offer.port);
    if (!port) continue;
    const path = normalizePath(offer.path);
    if (offer.kind === 'websocket') {
      const url =
        port.tlsUpgrade && server.fqdn
          ? `wss://${hostPort(server.fqdn, port.external)}${path}`
          : `ws://${hostPort(server.publicIp, port.external)}${path}`;
      endpoints.push({ kind: 'websocket', url, port: port.external });
    } else if (offer.kind === 'webtransport') {
      endpoints.push({
        kind: 'webtransport',
        url: `https://${hostPort(server.publicIp, port.external)}${path}`,
        port: port.external,
      });
    } else if (offer.kind === 'webrtc') {
      // Signaling is HTTP on the game port: behind Edgegap's TLS upgrade it is https on the
      // fqdn, which an https page may call (plain http would be blocked as mixed content).
      const host = server.publicIp.includes(':') ? `[${server.publicIp}]` : server.publicIp;
      const url = port.tlsUpgrade && server.fqdn ? `https://${server.fqdn}` : `http://${host}`;
      endpoints.push({ kind: 'webrtc', url, port: port.external });
    }
  }
  return endpoints;
}

/**
 * The `publicIp:external` addresses a token must list: one per distinct port the server's
 * transports use (the sidecar checks its own address is among them).
 *
 * @example
 * tokenAddresses(server); // ['1.2.3.4:31000']
 */
export function tokenAddresses(server: ServerRecord): string[] {
  const seen = new Set<string>();
  for (const offer of server.transports) {
    const port = portOf(server, offer.port);
    if (port) seen.add(hostPort(server.publicIp, port.external));
  }
  if (seen.size === 0) {
    for (const port of Object.values(server.ports))
      seen.add(hostPort(server.publicIp, port.external));
  }
  return [...seen].slice(0, 32);
}
