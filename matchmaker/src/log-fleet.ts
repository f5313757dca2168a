/**
 * Log lines for what the matchmaker sees its fleet do through the KV watches: players joining
 * and leaving servers (the sidecars write those seat records), servers getting ready and going
 * away. Client ids and player ids are fine to log; IPs and tokens are never in these records.
 */
import type { FleetCache, FleetEvent } from './fleet-cache.js';
import type { Logger } from './log.js';

/**
 * Log every live fleet event of `fleet` on `log`; returns the function that stops it.
 *
 * @example
 * const stop = logFleetEvents(fleet, log);
 */
export function logFleetEvents(fleet: FleetCache, log: Logger): () => void {
  return fleet.onEvent((event) => logFleetEvent(log, event));
}

function logFleetEvent(log: Logger, event: FleetEvent): void {
  switch (event.kind) {
    case 'player_joined':
    case 'player_left': {
      const { seat } = event;
      log.info(
        {
          event: event.kind,
          serverId: seat.serverId,
          seat: seat.seatIndex,
          clientId: seat.clientId,
          ...(seat.playerId ? { playerId: seat.playerId } : {}),
        },
        event.kind === 'player_joined' ? 'player joined' : 'player left',
      );
      return;
    }
    case 'server_ready':
    case 'server_gone': {
      const { server } = event;
      log.info(
        { event: event.kind, serverId: server.id, version: server.version },
        event.kind === 'server_ready' ? 'server ready' : 'server gone',
      );
      return;
    }
  }
}
