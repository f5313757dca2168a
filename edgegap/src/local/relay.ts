/**
 * `mapped` port mode: a relay listens on the external port and forwards to the internal one,
 * TCP connection by connection and UDP datagram by datagram (one upstream socket per client
 * address), so software that assumes internal = external fails locally as on Edgegap.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running relay; `close()` stops it and drops every flow. */
export interface Relay {
  close(): Promise<void>;
}

export function startTcpRelay(host: string, external: number, internal: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(internal, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(external, host, () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** Real time on purpose (not the injected clock): it reaps real, idle sockets. */
const UDP_FLOW_IDLE_MS = 60_000;

export function startUdpRelay(host: string, external: number, internal: number): Promise<Relay> {
  const front = createSocket('udp4');
  const flows = new Map<string, { socket: UdpSocket; lastSeen: number }>();
  const reaper = setInterval(() => {
    const now = Date.now();
    for (const [key, flow] of flows) {
      if (now - flow.lastSeen > UDP_FLOW_IDLE_MS) {
        flow.socket.close();
        flows.delete(key);
      }
    }
  }, UDP_FLOW_IDLE_MS);
  reaper.unref();
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const socket = createSocket('udp4');
      socket.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      socket.on('error', () => {});
      flow = { socket, lastSeen: Date.now() };
      flows.set(key, flow);
    }
    flow.lastSeen = Date.now();
    flow.socket.send(msg, internal, '127.0.0.1');
  });
  front.on('error', () => {});
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind(external, host, () =>
      resolve({
        close: async () => {
          clearInterval(reaper);
          for (const flow of flows.values()) flow.socket.close();
          flows.clear();
          await new Promise<void>((done) => front.close(() => done()));
        },
      }),
    );
  });
}
