/**
 * Free local ports for deployments. A port is handed out only when both TCP and UDP can bind
 * it on the host (a `TCP/UDP` game port needs both), and never twice while it is in use.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tryTcp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

function tryUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** Hands out ports free on TCP and UDP, remembering which are taken. */
export class PortPool {
  private readonly taken = new Set<number>();

  constructor(private readonly host: string) {}

  async allocate(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await tryTcp(this.host, 0);
      if (port === undefined || this.taken.has(port)) continue;
      if (!(await tryUdp(this.host, port))) continue;
      this.taken.add(port);
      return port;
    }
    throw new Error('no free local port found after 50 tries');
  }

  release(port: number): void {
    this.taken.delete(port);
  }
}
