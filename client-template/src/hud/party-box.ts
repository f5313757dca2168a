/**
 * The mode picker and the party box: "Create party" gets a code to share ("Copy party link"
 * puts `?partyCode=` in a link), "Join" takes a friend's code; the roster shows who is in. In a
 * party the Connect button becomes the leader's Queue (see net/connect-flow.ts).
 */
import { createParty, joinParty, type Party, PlaygapClientError } from '@playgap/client';
import { GAME, VERSION } from '../net/config.js';
import type { ConnectFlow } from '../net/connect-flow.js';
import type { PageOptions } from '../net/query.js';
import type { PlaygapTestHook } from '../net/test-hook.js';
import { errorWords } from '../net/words.js';
import { copyText } from './share-link.js';

export interface PartyBoxUi {
  mode: HTMLSelectElement;
  code: HTMLInputElement;
  create: HTMLButtonElement;
  join: HTMLButtonElement;
  leave: HTMLButtonElement;
  copy: HTMLButtonElement;
  roster: HTMLElement;
  error: HTMLElement;
}

/**
 * The link a friend opens to join party `code`: this page with `?partyCode=` (and the
 * matchmaker and mode it uses), nothing else of its query. `?party=` stays "Copy link"'s.
 *
 * @example
 * partyLink('http://127.0.0.1:8080/?name=Ada', 'K7QF-2M', '2v2'); // 'http://127.0.0.1:8080/?partyCode=K7QF-2M&mode=2v2'
 */
export function partyLink(href: string, code: string, mode: string): string {
  const url = new URL(href);
  const params = new URLSearchParams();
  params.set('partyCode', code);
  if (mode !== 'any') params.set('mode', mode);
  const matchmaker = url.searchParams.get('matchmaker');
  if (matchmaker) params.set('matchmaker', matchmaker);
  url.search = params.toString();
  url.hash = '';
  return url.toString();
}

/**
 * Wire the mode picker and the party box to the connect flow.
 *
 * @example
 * setUpPartyBox({ ui, page, hook, flow, name: 'Ada' });
 */
export function setUpPartyBox(options: {
  ui: PartyBoxUi;
  page: PageOptions;
  hook: PlaygapTestHook;
  flow: ConnectFlow;
  name: string;
}): void {
  const { ui, page, hook, flow } = options;
  if (page.mode && [...ui.mode.options].some((o) => o.value === page.mode)) {
    ui.mode.value = page.mode;
  }
  hook.mode = ui.mode.value;
  ui.mode.addEventListener('change', () => {
    hook.mode = ui.mode.value;
  });
  let party: Party | undefined;
  const member = {
    game: GAME,
    version: VERSION,
    name: options.name,
    ...(page.matchmakerUrl ? { matchmakerUrl: page.matchmakerUrl } : {}),
    ...(page.transports ? { transports: page.transports } : {}),
  };

  const render = () => {
    const inParty = party !== undefined && party.final === undefined;
    ui.create.hidden = ui.join.hidden = ui.code.hidden = inParty;
    ui.leave.hidden = ui.copy.hidden = !inParty;
    if (!party || !inParty) {
      ui.roster.textContent = '';
      hook.partyByCode = null;
      hook.partyLink = null;
      return;
    }
    const r = party.roster;
    const names = r.members.map(
      (m) => (m.name ?? 'someone') + (m.memberId === r.leaderId ? ' ★' : ''),
    );
    ui.roster.textContent = `Party ${r.code} (${r.members.length}/${r.maxSize}): ${names.join(', ')}`;
    ui.code.value = r.code;
    hook.partyByCode = {
      code: r.code,
      leader: party.isLeader,
      state: r.state,
      members: r.members.map((m) => m.name ?? ''),
    };
    hook.partyLink = partyLink(location.href, r.code, ui.mode.value);
    // Only the leader's pick counts once queued: members see the mode the party queued for.
    ui.mode.disabled = !party.isLeader || r.state === 'queued';
    if (r.mode && !party.isLeader) ui.mode.value = r.mode;
    if (r.ticketError && r.state === 'open') {
      showError(new PlaygapClientError(r.ticketError.code, r.ticketError.message));
    }
  };
  const showError = (error: unknown) => {
    const coded =
      error instanceof PlaygapClientError
        ? error
        : new PlaygapClientError('INTERNAL', String(error));
    ui.error.textContent = errorWords(coded);
    ui.error.hidden = false;
    hook.lastError = { code: coded.code, message: coded.message, text: ui.error.textContent };
  };

  const enter = (next: Party) => {
    party = next;
    next.on('roster', () => {
      render();
      flow.showParty(next);
    });
    next.on('refused', showError);
    next.on('end', () => {
      ui.mode.disabled = false;
      render();
    });
    render();
    flow.playInParty(next);
  };
  const busy = (on: boolean) => {
    ui.create.disabled = ui.join.disabled = on;
  };
  const open = async (opening: () => Promise<Party>) => {
    busy(true);
    ui.error.hidden = true;
    try {
      enter(await opening());
    } catch (error) {
      showError(error);
    } finally {
      busy(false);
    }
  };

  ui.create.addEventListener('click', () => {
    ui.create.blur();
    const mode = ui.mode.value;
    void open(() => createParty({ ...member, ...(mode !== 'any' ? { mode } : {}) }));
  });
  ui.join.addEventListener('click', () => {
    ui.join.blur();
    const code = ui.code.value.trim();
    if (code) void open(() => joinParty(code, member));
  });
  ui.leave.addEventListener('click', () => {
    ui.leave.blur();
    party?.leave();
  });
  ui.copy.addEventListener('click', async () => {
    ui.copy.blur();
    const link = hook.partyLink;
    if (!link) return;
    const copied = await copyText(link);
    hook.copiedLink = link;
    ui.copy.textContent = copied ? 'Link copied' : 'Copy failed';
    ui.copy.title = link;
    setTimeout(() => {
      ui.copy.textContent = 'Copy party link';
    }, 2_000);
  });

  // Opened from a party link: join at once.
  if (page.partyCode) {
    ui.code.value = page.partyCode;
    ui.join.click();
  }
}
