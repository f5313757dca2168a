/** Everything edgegap-local's routes share, created in app.ts and closed in one place. */
import type { FastifyReply } from 'fastify';
import type { Catalog } from './catalog.js';
import type { LocalConfig } from './config.js';
import type { Fleet } from './deployments.js';
import type { FaultTable } from './faults.js';
import type { SessionBook } from './sessions.js';

/** One request edgegap-local received (admin calls excluded). @example { method: 'GET', path: '/v1/status/abc', url: '/v1/status/abc', status: 200, at: 1700000000000 } */
export interface RecordedCall {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path with the query string. */
  url: string;
  status: number;
  /** Arrival time, ms since the epoch. */
  at: number;
}

export interface LocalState {
  config: LocalConfig;
  catalog: Catalog;
  fleet: Fleet;
  sessions: SessionBook;
  faults: FaultTable;
  calls: RecordedCall[];
  now: () => number;
}

/** Edgegap's error shape: `{message}` with the status. */
export function sendError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ message });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
