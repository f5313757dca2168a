/**
 * The Connect button: runs `play()`, shows each stage and every error in words, and hands the
 * connected channel to the game. This is the only place the template calls playgap; replace the
 * game under src/game and keep this. What the player chose (Cancel, Disconnect) is shown as
 * calm status; only failures get the error banner.
 */
import {
  type Channel,
  loadSavedSeat,
  type Party,
  PlaygapClientError,
  type PlayProgress,
  play,
} from '@playgap/client';
import { GAME, VERSION } from './config.js';
import { type PageOptions, playerName } from './query.js';
import type { PlaygapTestHook } from './test-hook.js';
import { errorWords, stageWords } from './words.js';

export interface ConnectUi {
  button: HTMLButtonElement;
  status: HTMLElement;
  error: HTMLElement;
}

export interface ConnectFlowOptions {
  ui: ConnectUi;
  page: PageOptions;
  hook: PlaygapTestHook;
  /** Called with the channel once connected; returns a function that detaches the game. */
  onConnected: (channel: Channel, clickedAt: number) => () => void;
  /** The mode picked now (`any` = the first free seat). */
  mode?: () => string;
}

/** What the party box drives: play through a party (its leader queues for everyone). */
export interface ConnectFlow {
  /** Wait in `party` for the leader to queue, then connect like Connect does. */
  playInParty(party: Party): void;
  /** Show `party` on the button: the leader queues or cancels, a member waits. */
  showParty(party: Party | undefined): void;
}

/**
 * Wire the Connect button.
 *
 * @example
 * setUpConnectFlow({ ui, page: readPageOptions(location.search), hook, onConnected: startArena });
 */
export function setUpConnectFlow({
  ui,
  page,
  hook,
  onConnected,
  mode = () => 'any',
}: ConnectFlowOptions): ConnectFlow {
  let controller: AbortController | undefined;
  let party: Party | undefined;
  let channel: Channel | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  // One name for the whole visit: the matchmaker puts it in the token, the server labels the
  // ship with it, and the status line says the same.
  const name = playerName(page);
  hook.playerName = name;

  /** Progress repeats a stage (deploying, with new elapsed seconds): record each stage once. */
  const setState = (state: string) => {
    hook.state = state;
    if (hook.stages.at(-1) !== state) hook.stages.push(state);
  };
  const showError = (error: unknown) => {
    const coded =
      error instanceof PlaygapClientError
        ? error
        : new PlaygapClientError(
            'INTERNAL',
            error instanceof Error ? error.message : String(error),
          );
    const text = errorWords(coded);
    hook.lastError = {
      code: coded.code,
      message: coded.message,
      text,
      ...(coded.reason ? { reason: coded.reason } : {}),
    };
    ui.error.textContent = text;
    ui.error.hidden = false;
  };
  const idle = (status: string) => {
    clearInterval(ticker);
    ui.button.textContent = 'Connect';
    ui.button.disabled = false;
    ui.status.textContent = status;
  };

  // No close on pagehide: a reload rejoins the same seat (the SDK keeps it in sessionStorage),
  // and a closed tab's ship goes when the server's reconnect grace ends.

  const partyButton = () => {
    if (!party || channel || party.final) return;
    const queued = party.roster.state === 'queued';
    ui.button.disabled = !party.isLeader;
    ui.button.textContent = !party.isLeader
      ? 'Waiting for the leader'
      : queued
        ? 'Cancel queue'
        : 'Queue';
  };

  ui.button.addEventListener('click', (event) => {
    // The button must not keep the focus: Space or Enter while flying would press it.
    ui.button.blur();
    // The second click of a double click is not a request to cancel.
    if (event.detail > 1) return;
    if (party && !channel && !party.final) {
      // In a party the leader queues everyone (or takes the party out of the queue).
      if (!party.isLeader) return;
      if (party.roster.state === 'queued') party.cancel();
      else party.queue(mode() === 'any' ? undefined : mode());
      return;
    }
    if (controller) {
      controller.abort();
      return;
    }
    if (channel) {
      channel.close();
      return;
    }
    const picked = mode();
    void start((signal, onProgress) =>
      play({
        game: GAME,
        version: VERSION,
        ...page,
        ...(picked === 'any' ? {} : { mode: picked }),
        name,
        signal,
        onProgress,
      }),
    );
  });

  /** Run one play (alone, or through a party) to a connected channel or a shown error. */
  async function start(
    launch: (signal: AbortSignal, onProgress: (p: PlayProgress) => void) => Promise<Channel>,
  ): Promise<void> {
    const clickedAt = performance.now();
    controller = new AbortController();
    hook.stages = [];
    hook.lastError = null;
    hook.firstSnapshotMs = null;
    ui.error.hidden = true;
    ui.button.textContent = 'Cancel';
    let last: PlayProgress | undefined;
    let matchFoundAt: number | undefined;
    const show = (progress: PlayProgress) => {
      if (progress.stage === 'match_found' && last?.stage !== 'match_found') {
        matchFoundAt = Date.now();
      }
      last = progress;
      ui.status.textContent = stageWords(progress);
      hook.status = ui.status.textContent;
      if (progress.ticket) {
        const { id: _id, ...ticket } = progress.ticket;
        hook.ticket = ticket;
      }
    };
    // The matchmaker reports deploy progress every few seconds; tick the elapsed seconds here.
    const startedAt = Date.now();
    ticker = setInterval(() => {
      if (last?.stage === 'deploying' || last?.stage === 'waiting_for_server') {
        show({ ...last, elapsedMs: Math.max(last.elapsedMs, Date.now() - startedAt) });
      } else if (last?.stage === 'match_found' && matchFoundAt !== undefined) {
        // The match's server is being found or started: count the seconds it takes.
        ui.status.textContent = `${stageWords(last)} ${Math.floor((Date.now() - matchFoundAt) / 1000)} s`;
        hook.status = ui.status.textContent;
      }
    }, 250);
    try {
      const connected = await launch(controller.signal, (progress) => {
        if (progress.stage !== 'connected') setState(progress.stage);
        show(progress);
      });
      channel = connected;
      controller = undefined;
      clearInterval(ticker);
      hook.transport = connected.transport;
      hook.clientId = connected.welcome.clientId;
      hook.serverId = connected.welcome.serverId;
      setState('playing');
      ui.button.textContent = 'Disconnect';
      ui.status.textContent = `Playing (${connected.transport}) as ${connected.welcome.player.name ?? name}`;
      hook.playerName = connected.welcome.player.name ?? name;
      let detach = onConnected(connected, clickedAt);
      connected.on('reconnecting', (event) => {
        setState('reconnecting');
        ui.status.textContent = event.matchmaking
          ? 'The server is gone — finding another…'
          : `Connection lost — reconnecting (attempt ${event.attempt})…`;
      });
      connected.on('reconnected', (event) => {
        hook.transport = event.transport;
        hook.clientId = event.welcome.clientId;
        hook.serverId = event.welcome.serverId;
        if (!event.resumed) {
          // A new server: the game starts over there.
          detach();
          detach = onConnected(connected, performance.now());
        }
        setState('playing');
        ui.status.textContent = `Playing (${event.transport}) as ${event.welcome.player.name ?? name}`;
      });
      connected.on('close', (event) => {
        detach();
        channel = undefined;
        setState('closed');
        // No code: the player's own Disconnect (or the page closing), not a failure.
        if (event.code) showError(new PlaygapClientError(event.code, event.reason));
        idle('Disconnected.');
      });
    } catch (error) {
      const cancelled = controller?.signal.aborted === true;
      controller = undefined;
      if (cancelled) {
        setState('idle');
        idle('Cancelled.');
        return;
      }
      setState('error');
      showError(error);
      idle('Not connected.');
    }
  }

  // A reload of a tab that was playing: rejoin its seat at once.
  if (loadSavedSeat(sessionStorage, GAME, VERSION, Date.now())) ui.button.click();

  return {
    playInParty(next) {
      party = next;
      hook.ticket = null;
      void start((signal, onProgress) => next.play({ ...page, signal, onProgress })).finally(() => {
        if (party === next) party = undefined;
        if (!channel) idle(ui.status.textContent ?? '');
      });
      partyButton();
      ui.status.textContent = next.isLeader
        ? 'Pick a mode and click Queue when your friends are in.'
        : 'In the party: the leader queues for everyone.';
      hook.status = ui.status.textContent;
    },
    showParty(next) {
      party = next;
      partyButton();
    },
  };
}
