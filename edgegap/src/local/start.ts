/** Start edgegap-local listening; `close()` stops the server and every deployment it ran. */
import type { FastifyInstance } from 'fastify';
import { buildEdgegapLocalApp } from './app.js';
import { DEFAULT_LOCAL_API_KEY, type EdgegapLocalOptions } from './config.js';

/** A running edgegap-local. @example const { url, apiKey } = await startEdgegapLocal(); */
export interface EdgegapLocal {
  /** Base URL, e.g. http://127.0.0.1:43121 — use as EDGEGAP_API_URL. */
  url: string;
  /** The key clients must send (as `token <key>`). */
  apiKey: string;
  /** Stop listening and stop every deployment (SIGTERM, SIGKILL after grace). */
  close(): Promise<void>;
  /** The fastify app, for `inject`. */
  app: FastifyInstance;
}

/**
 * Start edgegap-local on 127.0.0.1 and a free port (by default).
 *
 * @example
 * const local = await startEdgegapLocal({ configFile: 'edgegap-local.json' });
 * const edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
 * // ...
 * await local.close();
 */
export async function startEdgegapLocal(options: EdgegapLocalOptions = {}): Promise<EdgegapLocal> {
  const app = await buildEdgegapLocalApp(options);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app.close(); // the locations' ping endpoints already listen
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    apiKey: options.apiKey ?? DEFAULT_LOCAL_API_KEY,
    app,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
