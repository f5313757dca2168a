/**
 * A UDP port mapping like Edgegap's (external port → internal port) for tests: packets to the
 * external port are forwarded to the internal one through a socket per client, and answers go
 * back from the external port.
 */
import { createSocket, type Socket } from 'node:dgram';

export async function startUdpRelay(
  externalPort: number,
  internalPort: number,
): Promise<{ close(): void }> {
  const front = createSocket('udp4');
  const backs = new Map<string, Socket>();
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let back = backs.get(key);
    if (!back) {
      back = createSocket('udp4');
      back.on('message', (answer) => front.send(answer, rinfo.port, rinfo.address));
      back.bind(0, '127.0.0.1');
      backs.set(key, back);
    }
    back.send(msg, internalPort, '127.0.0.1');
  });
  await new Promise<void>((r) => front.bind(externalPort, '127.0.0.1', r));
  return {
    close() {
      front.close();
      for (const b of backs.values()) b.close();
    },
  };
}
