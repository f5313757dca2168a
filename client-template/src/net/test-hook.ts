/**
 * `window.__playgap`: a small read-only view of the connect flow and the arena for end-to-end
 * tests (and for poking at in the console). The game updates `ships`/`names`; the playgap
 * wiring updates the rest.
 */

export interface PlaygapTestHook {
  /** idle | matchmaking | queued | deploying | waiting_for_server | ready | connecting | retrying | reconnecting | playing | error | closed */
  state: string;
  /** Every state in order since the last click, each once per change. */
  stages: string[];
  /** The name this page plays under (shown above its ship and in the status line). */
  playerName: string | null;
  transport: string | null;
  clientId: string | null;
  serverId: string | null;
  /** Ships on screen, yours included. */
  ships: number;
  names: string[];
  /** Where each ship is drawn. */
  positions: { id: string; name: string; x: number; y: number }[];
  /** Snapshots received since connected. */
  snapshots: number;
  /** ms from the Connect click to the first snapshot. */
  firstSnapshotMs: number | null;
  lastError: { code: string; reason?: string; message: string; text: string } | null;
  /** Smoothed round trip on the game channel (ping/pong), ms. */
  pingMs: number | null;
  /** The party this page plays in, and the link "Copy link" copies (null until playing). */
  party: string | null;
  shareLink: string | null;
  /** The last link copied (what the clipboard got, or was offered when it refused). */
  copiedLink: string | null;
  /** The debug overlay: shown, and its text. */
  overlay: { visible: boolean; text: string };
  /** The simulated link (`?simRttMs=`…), null when none. */
  simulatedLink: { rttMs: number; jitterMs: number; lossPct: number } | null;
  /**
   * Reconciliations of your predicted ship since connected: how many, how many moved it (error
   * > 0), the largest error (world units), how many were snapped instead of blended.
   */
  corrections: { count: number; nonZero: number; maxError: number; snapped: number };
  /** Input-to-screen samples: keydown → the first frame drawing your ship moved, ms. */
  inputToScreenMs: number[];
  /** The mode picked (`any`, `ffa`, `2v2`). */
  mode: string;
  /** The party by code this page is in: code, leader?, state, member names; null when none. */
  partyByCode: { code: string; leader: boolean; state: string; members: string[] } | null;
  /** The "Copy party link" link (`?partyCode=`), null outside a party. */
  partyLink: string | null;
  /** The status line as shown (the queue state: searching 12 s, expansion, match found...). */
  status: string;
  /** The last queue progress: mode, expansion stage, seconds waited, match id. */
  ticket: { mode: string; expansion: number; waitedSeconds: number; matchId?: string } | null;
}

declare global {
  interface Window {
    __playgap: PlaygapTestHook;
  }
}

/** Create the hook on `window` and return it. */
export function installTestHook(): PlaygapTestHook {
  const hook: PlaygapTestHook = {
    state: 'idle',
    stages: [],
    playerName: null,
    transport: null,
    clientId: null,
    serverId: null,
    ships: 0,
    names: [],
    positions: [],
    snapshots: 0,
    firstSnapshotMs: null,
    lastError: null,
    pingMs: null,
    party: null,
    shareLink: null,
    copiedLink: null,
    overlay: { visible: false, text: '' },
    simulatedLink: null,
    corrections: { count: 0, nonZero: 0, maxError: 0, snapped: 0 },
    inputToScreenMs: [],
    mode: 'any',
    partyByCode: null,
    partyLink: null,
    status: '',
    ticket: null,
  };
  window.__playgap = hook;
  return hook;
}
