/**
 * Which waiting tickets may fill a backfill: a running match is a group that already holds its
 * players, so a ticket joins when the match with it still respects the rules (under the
 * ticket's own current expansion: the players in the match count as fully widened, they are
 * playing already) and its whole party fits the team's room and the mode's size. Oldest ticket
 * first. Pure: no NATS, no clock of its own; nothing is taken until the caller claims.
 */
import type { RosterPlayer } from '@playgap/protocol';
import { type CompiledMode, Group, type PoolTicket, toPoolTicket } from './rules.js';
import type { Ticket } from './ticket.js';

/** What the fit reads of an open backfill. */
export interface BackfillNeed {
  /** The team to fill; undefined = any team with room. */
  team?: string;
  /** Players still wanted (asked minus already filled). */
  wanted: number;
  /** Everyone in the match now: the players still there and the newcomers of earlier fills. */
  players: readonly RosterPlayer[];
}

/** The tickets that fit, and the team each joins (team modes). */
export interface BackfillPick {
  tickets: Ticket[];
  teamOf: Map<string, string>;
  players: number;
}

/**
 * The tickets (oldest first, at most `scanLimit` looked at) that fill `need` in `compiled`'s
 * mode, or undefined when none fits. `oldestFirst`: the candidates are sorted by `createdAt`
 * already (a round that fills several backfills of one pool sorts once).
 *
 * @example
 * const pick = fitBackfill(compileMode('2v2', mode), { team: 'team-2', wanted: 1, players }, pool.tickets(), Date.now());
 */
export function fitBackfill(
  compiled: CompiledMode,
  need: BackfillNeed,
  candidates: readonly Ticket[],
  now: number,
  scanLimit = 256,
  oldestFirst = false,
): BackfillPick | undefined {
  const mode = compiled.mode;
  const teams = mode.teams;
  const sizes = new Map<string, number>();
  if (teams) for (let t = 1; t <= teams.count; t++) sizes.set(`team-${t}`, 0);
  for (const p of need.players) if (p.team) sizes.set(p.team, (sizes.get(p.team) ?? 0) + 1);
  if (need.team !== undefined && !sizes.has(need.team)) return undefined;
  let room = Math.min(need.wanted, mode.maxPlayers - need.players.length);
  if (room <= 0) return undefined;

  // The players in the match, as tickets that have waited forever (their widest limits).
  let group: Group | undefined;
  for (const [i, p] of need.players.entries()) {
    const entry = toPoolTicket(
      compiled,
      {
        id: `in-match-${i}`,
        mode: compiled.name,
        createdAt: Number.NEGATIVE_INFINITY,
        players: [p],
      },
      now,
    );
    if (!group) {
      const first = new Group(entry, compiled.hasLatency);
      if (first.viable) group = first;
    } else group.tryAdd(entry); // a player the rules would not take now is still playing
  }

  const picked: Ticket[] = [];
  const teamOf = new Map<string, string>();
  const byAge = oldestFirst
    ? candidates
    : candidates.slice().sort((a, b) => a.createdAt - b.createdAt);
  let scanned = 0;
  for (const ticket of byAge) {
    if (room <= 0 || scanned++ >= scanLimit) break;
    const size = ticket.players.length;
    if (size > room) continue;
    let team: string | undefined;
    if (teams) {
      team = need.team ?? emptiestTeam(sizes, size, teams.maxSize);
      if (team === undefined || (sizes.get(team) as number) + size > teams.maxSize) continue;
    }
    const entry: PoolTicket = toPoolTicket(compiled, ticket, now);
    if (group) {
      if (!group.tryAdd(entry)) continue;
    } else {
      const first = new Group(entry, compiled.hasLatency);
      if (!first.viable) continue;
      group = first;
    }
    picked.push(ticket);
    room -= size;
    if (team !== undefined) {
      teamOf.set(ticket.id, team);
      sizes.set(team, (sizes.get(team) as number) + size);
    }
  }
  if (picked.length === 0) return undefined;
  return { tickets: picked, teamOf, players: picked.reduce((n, t) => n + t.players.length, 0) };
}

/** The team with the fewest players that still has room for `size` (holes first). */
function emptiestTeam(
  sizes: ReadonlyMap<string, number>,
  size: number,
  maxSize: number,
): string | undefined {
  let best: string | undefined;
  for (const [name, n] of sizes) {
    if (n + size > maxSize) continue;
    if (best === undefined || n < (sizes.get(best) as number)) best = name;
  }
  return best;
}
