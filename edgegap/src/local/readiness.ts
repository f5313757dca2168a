/** Readiness probes: does every `to_check` TCP port accept a connection on 127.0.0.1? */
import { connect } from 'node:net';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when every port accepts a TCP connection right now. */
export async function allAccept(ports: number[]): Promise<boolean> {
  const results = await Promise.all(ports.map(accepts));
  return results.every(Boolean);
}
