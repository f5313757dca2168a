/**
 * `GET /matchmaker/regions`: the regions a browser pings before it asks to play, and the check
 * that a play request's `latencies` name only those regions (UNKNOWN_REGION otherwise). When
 * there is no list (no Edgegap key here, or Edgegap unreachable so far) it is served empty and
 * ids are not checked: placement ignores ids it does not know.
 */
import { ErrorCode, type Latencies, PlaygapError, type RegionList } from '@playgap/protocol';
import type { FastifyInstance } from 'fastify';
import type { RegionDirectory } from '../regions/region-directory.js';

/** Browsers may keep the list this long, s (the directory's own TTL bounds staleness). */
const BROWSER_CACHE_SECONDS = 30;

/**
 * Refuse `latencies` naming a region the directory does not list.
 *
 * @example
 * await checkRegions({ montreal: 18 }, regions); // throws UNKNOWN_REGION if montreal is not listed
 */
export async function checkRegions(
  latencies: Latencies,
  regions: RegionDirectory | undefined,
): Promise<void> {
  const ids = Object.keys(latencies);
  if (ids.length === 0 || !regions) return;
  const list = await regions.list();
  if (list === undefined) return;
  const known = new Set(list.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 3).join(', ');
    throw new PlaygapError(
      ErrorCode.UNKNOWN_REGION,
      `"latencies" names regions this matchmaker does not list (${names}); measure the ones of GET /matchmaker/regions.`,
    );
  }
}

/** Register `GET /matchmaker/regions`. */
export function regionRoutes(app: FastifyInstance, regions: RegionDirectory | undefined): void {
  app.get('/matchmaker/regions', async (_request, reply) => {
    const body: RegionList = { regions: (regions ? await regions.list() : undefined) ?? [] };
    return reply.header('cache-control', `max-age=${BROWSER_CACHE_SECONDS}`).send(body);
  });
}
