/**
 * Checks the transports a game server offers when it calls ready: each of a known kind, and
 * each naming only ports this deployment has (so the record never points players at a port
 * that is not mapped).
 */
import { ErrorCode, TransportKind, type TransportOffer } from '@playgap/protocol';
import type { Deployment } from './deployment.js';
import { SidecarError } from './errors.js';

const KINDS = new Set<string>(Object.values(TransportKind));

/**
 * Throw BAD_REQUEST (400) naming the first offer of an unknown kind or with an unknown port.
 *
 * @example
 * checkTransportOffers([{ kind: 'websocket', port: 'game' }], deployment.ports);
 */
export function checkTransportOffers(
  offers: readonly TransportOffer[],
  ports: Deployment['ports'],
): void {
  for (const offer of offers) {
    if (!KINDS.has(offer.kind))
      throw new SidecarError(
        ErrorCode.BAD_REQUEST,
        `Unknown transport kind ${JSON.stringify(offer.kind)}.`,
        400,
      );
    for (const name of [offer.port, offer.dataPort]) {
      if (name !== undefined && !ports[name]) {
        throw new SidecarError(
          ErrorCode.BAD_REQUEST,
          `Transport ${offer.kind} names port ${JSON.stringify(name)}, which this deployment does not have (ports: ${Object.keys(ports).join(', ') || 'none'}).`,
          400,
        );
      }
    }
  }
}
