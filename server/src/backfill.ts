/**
 * A backfill request of the game server (docs/server-sdk.md#backfill): the handle
 * `server.requestBackfill()` gives back. It follows the sidecar's `backfill` events for its id:
 * `players` as newcomers are placed (their tokens are on the way; they connect like anyone),
 * then one end — `filled`, `expired` or `withdrawn`.
 */
import { EventEmitter } from 'node:events';
import type { SidecarEventData } from '@playgap/protocol/sidecar-api';
import type { SidecarClient } from './sidecar-client.js';

/** How a backfill request ended. */
export type BackfillEnd = 'filled' | 'expired' | 'withdrawn';

interface BackfillEvents {
  /** Newcomers were placed: `playerIds` are all placed so far, `added` the new ones. */
  players: [playerIds: string[], added: string[]];
  filled: [playerIds: string[]];
  expired: [playerIds: string[]];
  withdrawn: [playerIds: string[]];
  /** Any of the three ends. */
  end: [how: BackfillEnd, playerIds: string[]];
}

/**
 * @example
 * const backfill = await server.requestBackfill({ team: 'team-2', count: 1 });
 * backfill.on('players', (all, added) => console.log('on the way:', added));
 * const how = await backfill.ended; // 'filled' | 'expired' | 'withdrawn'
 */
export class Backfill extends EventEmitter<BackfillEvents> {
  readonly playerIds: string[] = [];
  /** Resolves with how it ended. */
  readonly ended: Promise<BackfillEnd>;
  #end: ((how: BackfillEnd) => void) | undefined;
  #over = false;

  /** @internal use GameServer.requestBackfill */
  constructor(
    readonly id: string,
    readonly matchId: string | undefined,
    /** Unix ms after which nobody fills it. */
    readonly expiresAt: number,
    private readonly sidecar: SidecarClient,
  ) {
    super();
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
  }

  get open(): boolean {
    return !this.#over;
  }

  /** Stop finding players for it (those already placed still come). Idempotent. */
  async withdraw(): Promise<void> {
    if (this.#over) return;
    await this.sidecar.withdrawBackfill(this.id);
    this.update({
      backfillId: this.id,
      matchId: this.matchId ?? '',
      state: 'withdrawn',
      count: 0,
      filled: this.playerIds.length,
      playerIds: [...this.playerIds],
    });
  }

  /** @internal a `backfill` event of the sidecar for this id */
  update(data: SidecarEventData['backfill']): void {
    if (this.#over) return;
    const added = data.playerIds.filter((id) => !this.playerIds.includes(id));
    if (added.length > 0) {
      this.playerIds.push(...added);
      this.emit('players', [...this.playerIds], added);
    }
    if (data.state === 'open') return;
    this.#over = true;
    this.emit(data.state, [...this.playerIds]);
    this.emit('end', data.state, [...this.playerIds]);
    this.#end?.(data.state);
  }
}
