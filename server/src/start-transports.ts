/**
 * Starts the transports whose ports the deployment has, on their internal ports: WebTransport
 * on `wt`, and on `game` one HTTP server carrying geckos.io signaling (data on `rtc`) and the
 * WebSocket path. Each one is registered with the server's offers and cleanups.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransportKind } from '@playgap/protocol';
import { DEFAULTS, type GameServerOptions, type ResolvedPort, resolvePort } from './config.js';
import type { GameServer } from './game-server.js';
import type { TransportContext } from './transports/context.js';
import { attachGeckosTransport } from './transports/geckos.js';
import { attachWebSocketTransport } from './transports/websocket.js';
import { hasQuicheAddon, startWebTransport } from './transports/webtransport.js';

/** Reload the WebTransport certificate; the sidecar's event may name new files. */
export type CertificateReloader = (next: {
  certFile?: unknown;
  keyFile?: unknown;
}) => Promise<void>;

/**
 * Start every transport that has a port (see docs/server-sdk.md, "Ports and offers").
 *
 * @example
 * const { reloadCertificate } = await startTransports(server, options, process.env, console.log);
 */
export async function startTransports(
  server: GameServer,
  options: GameServerOptions,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<{ reloadCertificate?: CertificateReloader }> {
  let reloadCertificate: CertificateReloader | undefined;
  const names = { game: 'game', rtc: 'rtc', wt: 'wt', ...options.portNames };
  const enabled = { websocket: true, webrtc: true, webtransport: true, ...options.transports };
  const paths = { websocket: '/ws', webtransport: '/wt', ...options.paths };
  const host = options.host ?? '0.0.0.0';
  const context = server.context();
  const game = resolvePort(names.game, server.info, env);
  const rtc = resolvePort(names.rtc, server.info, env);
  const wt = resolvePort(names.wt, server.info, env);

  // WebTransport first: the client prefers it, and the offers keep that order. Browsers need
  // HTTP/3 (the quiche addon, in the Docker images): without it nothing is offered to them, and
  // only `webtransport: 'http2'` (PLAYGAP_WEBTRANSPORT=http2) starts it for Node clients.
  const wtMode = webTransportMode(enabled.webtransport, env['PLAYGAP_WEBTRANSPORT']);
  const http3 = wtMode !== 'off' && wt !== undefined && (await hasQuicheAddon());
  if (wt && wtMode === 'auto' && !http3) {
    log(
      'webtransport: off — no HTTP/3 here (the @fails-components/webtransport-transport-http3-quiche addon is missing); browsers use WebRTC or WebSocket',
    );
  }
  if (wt && (http3 || wtMode === 'http2')) {
    const certFile = env['PLAYGAP_CERT_FILE'] ?? server.info.certFile;
    const keyFile = env['PLAYGAP_KEY_FILE'] ?? server.info.keyFile;
    if (certFile && keyFile) {
      const [certPem, keyPem] = await Promise.all([
        readFile(certFile, 'utf8'),
        readFile(keyFile, 'utf8'),
      ]);
      const transport = await startWebTransport(context, {
        port: wt.internal,
        host,
        path: paths.webtransport,
        certPem,
        keyPem,
        http3,
        ...(options.authTimeoutMs ? { authTimeoutMs: options.authTimeoutMs } : {}),
      });
      server.ports.wt = transport.port;
      // Offered (to the matchmaker, so to browsers) only when a browser can use it.
      if (http3) {
        server.offers.push({
          kind: TransportKind.WEBTRANSPORT,
          port: names.wt,
          path: paths.webtransport,
        });
      }
      server.addCleanup(() => transport.close());
      reloadCertificate = async (next) => {
        // The event names the renewed files; older sidecars renew in place.
        const cert = typeof next.certFile === 'string' ? next.certFile : certFile;
        const key = typeof next.keyFile === 'string' ? next.keyFile : keyFile;
        const [c, k] = await Promise.all([readFile(cert, 'utf8'), readFile(key, 'utf8')]);
        transport.updateCert(c, k);
        log('webtransport: certificate renewed');
      };
    } else {
      log('webtransport: no certificate from the sidecar; not started');
    }
  }

  if (!game) {
    if (server.offers.length === 0)
      log(`no "${names.game}" port: no WebSocket or WebRTC transport`);
    return reloadCertificate ? { reloadCertificate } : {};
  }
  const http = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 'NOT_FOUND', message: 'Not found.' }));
  });
  const geckos =
    enabled.webrtc && rtc ? mapGeckos(http, server, context, options, env, rtc) : undefined;
  const ws = enabled.websocket
    ? attachWebSocketTransport(http, context, {
        path: paths.websocket,
        ...(options.authTimeoutMs ? { authTimeoutMs: options.authTimeoutMs } : {}),
      })
    : undefined;
  await listen(http, game.internal, host);
  server.ports.game = (http.address() as AddressInfo).port;
  if (geckos) {
    server.ports.rtc = rtc?.internal;
    server.offers.push({ kind: TransportKind.WEBRTC, port: names.game, dataPort: names.rtc });
    server.addCleanup(() => geckos.close());
  }
  if (ws) {
    server.offers.push({ kind: TransportKind.WEBSOCKET, port: names.game, path: paths.websocket });
    server.closeAllLinks.push(ws.closeAll);
    server.addCleanup(() => ws.close());
  }
  server.addCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
  return reloadCertificate ? { reloadCertificate } : {};
}

/**
 * How to run WebTransport: `auto` (HTTP/3 when the addon loads, else off), `http2` (HTTP/2 only,
 * for Node clients, never offered) or `off`. The option wins over PLAYGAP_WEBTRANSPORT.
 */
function webTransportMode(
  option: boolean | 'http2' | undefined,
  variable: string | undefined,
): 'auto' | 'http2' | 'off' {
  if (option === false) return 'off';
  if (option === 'http2') return 'http2';
  if (variable === undefined || variable === '' || variable === 'auto') return 'auto';
  if (variable === 'http2' || variable === 'off') return variable;
  throw new TypeError(`PLAYGAP_WEBTRANSPORT must be auto, http2 or off (got "${variable}")`);
}

function mapGeckos(
  http: Server,
  server: GameServer,
  context: TransportContext,
  options: GameServerOptions,
  env: NodeJS.ProcessEnv,
  rtc: ResolvedPort,
) {
  const publicIp = env['ARBITRIUM_PUBLIC_IP'] ?? server.info.publicIp;
  return attachGeckosTransport(http, context, {
    dataPort: rtc.internal,
    ...(publicIp
      ? { iceMapping: { publicIp, internalPort: rtc.internal, externalPort: rtc.external } }
      : {}),
    ...(options.corsOrigin ? { corsOrigin: options.corsOrigin } : {}),
    halfOpenTimeoutMs: options.halfOpenTimeoutMs ?? DEFAULTS.halfOpenTimeoutMs,
    reapIntervalMs: options.reapIntervalMs ?? DEFAULTS.reapIntervalMs,
    ...(options.deadPeerTimeoutMs ? { deadPeerTimeoutMs: options.deadPeerTimeoutMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

function listen(http: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
