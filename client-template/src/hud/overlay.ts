/**
 * The debug overlay over the arena: ping (round trip on the game channel), transport, server id
 * and player count, plus the simulated link when one is on. Toggled with the backquote key (`);
 * shown by default in `vite dev`, hidden in a build unless the page has `?overlay=1`.
 */

export interface OverlayInfo {
  pingMs?: number;
  transport?: string;
  serverId?: string;
  players?: number;
  /** The simulated link, e.g. "150 ms RTT ± 20, 2 % loss". */
  simulated?: string;
}

/** The key that shows and hides the overlay (KeyboardEvent.code). */
export const OVERLAY_KEY = 'Backquote';

/**
 * The overlay element and its lines.
 *
 * @example
 * const overlay = new PlayOverlay(document.getElementById('play-area')!, true);
 * overlay.update({ pingMs: 42, transport: 'webrtc', serverId: 'abc', players: 2 });
 */
export class PlayOverlay {
  readonly element: HTMLElement;
  #info: OverlayInfo = {};

  constructor(parent: HTMLElement, visible: boolean) {
    this.element = document.createElement('pre');
    this.element.id = 'overlay';
    this.element.hidden = !visible;
    parent.append(this.element);
    window.addEventListener('keydown', (event) => {
      if (event.code === OVERLAY_KEY && !event.repeat) this.element.hidden = !this.element.hidden;
    });
    this.#render();
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  /** Change some lines (undefined fields keep their value); `clear` empties them all. */
  update(info: OverlayInfo, clear = false): void {
    this.#info = clear ? { ...info } : { ...this.#info, ...info };
    this.#render();
  }

  get text(): string {
    return this.element.textContent ?? '';
  }

  #render(): void {
    const i = this.#info;
    const lines = [
      `ping      ${i.pingMs === undefined ? '–' : `${Math.round(i.pingMs)} ms`}`,
      `transport ${i.transport ?? '–'}`,
      `server    ${i.serverId ?? '–'}`,
      `players   ${i.players ?? '–'}`,
    ];
    if (i.simulated) lines.push(`simulated ${i.simulated}`);
    lines.push('(` hides this)');
    this.element.textContent = lines.join('\n');
  }
}

/**
 * Whether the overlay starts shown: `?overlay=1|0` wins, else shown in development.
 *
 * @example
 * overlayShownAtStart('?overlay=1', false); // true
 */
export function overlayShownAtStart(search: string, dev: boolean): boolean {
  const value = new URLSearchParams(search).get('overlay');
  if (value === '1') return true;
  if (value === '0') return false;
  return dev;
}
