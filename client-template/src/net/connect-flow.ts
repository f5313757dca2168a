/**
 * The Connect button: runs `play()`, shows each stage and every error in words, and hands the
 * connected channel to the game. This is the only place the template calls playgap; replace the
 * game under src/game and keep this. What the player chose (Cancel, Disconnect) is shown as
 * calm status; only failures get the error banner.
 */
import {
  type Channel,
  loadSavedSeat,
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
}

/**
 * Wire the Connect button.
 *
 * @example
 * setUpConnectFlow({ ui, page: readPageOptions(location.search), hook, onConnected: startArena });
 */
export function setUpConnectFlow({ ui, page, hook, onConnected }: ConnectFlowOptions): void {
  let controller: AbortController | undefined;
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

  ui.button.addEventListener('click', async (event) => {
    // The button must not keep the focus: Space or Enter while flying would press it.
    ui.button.blur();
    // The second click of a double click is not a request to cancel.
    if (event.detail > 1) return;
    if (controller) {
      controller.abort();
      return;
    }
    if (channel) {
      channel.close();
      return;
    }
    const clickedAt = performance.now();
    controller = new AbortController();
    hook.stages = [];
    hook.lastError = null;
    hook.firstSnapshotMs = null;
    ui.error.hidden = true;
    ui.button.textContent = 'Cancel';
    let last: PlayProgress | undefined;
    const show = (progress: PlayProgress) => {
      last = progress;
      ui.status.textContent = stageWords(progress);
    };
    // The matchmaker reports deploy progress every few seconds; tick the elapsed seconds here.
    const startedAt = Date.now();
    ticker = setInterval(() => {
      if (last?.stage === 'deploying' || last?.stage === 'waiting_for_server') {
        show({ ...last, elapsedMs: Math.max(last.elapsedMs, Date.now() - startedAt) });
      }
    }, 250);
    try {
      const connected = await play({
        game: GAME,
        version: VERSION,
        ...page,
        name,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.stage !== 'connected') setState(progress.stage);
          show(progress);
        },
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
  });

  // A reload of a tab that was playing: rejoin its seat at once.
  if (loadSavedSeat(sessionStorage, GAME, VERSION, Date.now())) ui.button.click();
}
