/** Free local ports for tests that must name a port before something listens on it. */
import { createServer } from 'node:net';

/**
 * Ask the kernel for a free TCP port on 127.0.0.1. Another process may take it before you
 * bind it, so prefer letting servers listen on port 0 and reading the port back.
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
