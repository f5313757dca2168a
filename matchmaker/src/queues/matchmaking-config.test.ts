import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@playgap/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMatchmakingConfig } from './matchmaking-config.js';
import { openMatchmakingSource, readMatchmakingFile } from './matchmaking-file.js';

const EXAMPLE = {
  defaultMode: 'ffa',
  modes: {
    ffa: { minPlayers: 2, maxPlayers: 8, fillWaitSeconds: 5 },
    '2v2': {
      teams: { count: 2, minSize: 2, maxSize: 2 },
      rules: [
        {
          kind: 'number_difference',
          name: 'skill',
          attribute: 'skill',
          max: 100,
          expansions: [{ afterSeconds: 10, max: 300 }],
        },
        { kind: 'latency', name: 'ping', maxMs: 100 },
      ],
    },
  },
};

describe('matchmaking config', () => {
  it('fills defaults: any free seat, team-derived player counts, a ticket timeout', () => {
    const config = parseMatchmakingConfig(EXAMPLE);
    expect(config.modes.any).toEqual({ kind: 'free-seat' });
    expect(config.modes['2v2']).toMatchObject({
      kind: 'queue',
      minPlayers: 4,
      maxPlayers: 4,
      ticketTimeoutSeconds: 120,
      fillWaitSeconds: 0,
    });
    expect(parseMatchmakingConfig({}).defaultMode).toBe('any');
  });

  it.each([
    [{ modes: { ffa: { minPlayers: 3, maxPlayers: 2 } } }, 'modes.ffa.minPlayers'],
    [{ modes: { ffa: { maxPlayers: 'many' } } }, 'modes.ffa.maxPlayers'],
    [
      { modes: { x: { maxPlayers: 2, rules: [{ kind: 'vibes', name: 'v' }] } } },
      'modes.x.rules[0].kind',
    ],
    [
      {
        modes: {
          x: {
            maxPlayers: 2,
            rules: [{ kind: 'number_difference', name: 's', attribute: 'skill', max: -1 }],
          },
        },
      },
      'modes.x.rules[0].max',
    ],
    [
      {
        modes: {
          x: {
            maxPlayers: 2,
            rules: [
              {
                kind: 'number_difference',
                name: 's',
                attribute: 'skill',
                max: 1,
                expansions: [
                  { afterSeconds: 10, max: 2 },
                  { afterSeconds: 5, max: 3 },
                ],
              },
            ],
          },
        },
      },
      'modes.x.rules[0].expansions[1].afterSeconds',
    ],
    [
      { modes: { x: { maxPlayers: 2, rules: [{ kind: 'latency', name: 'p' }] } } },
      'modes.x.rules[0]',
    ],
    [{ modes: { x: { teams: { count: 2, maxSize: 2 }, maxPlayers: 5 } } }, 'modes.x'],
    [{ modes: { x: { maxPlayers: 2, colour: 'red' } } }, 'modes.x.colour'],
    [{ defaultMode: 'nope' }, 'defaultMode'],
  ])('refuses %j naming %s', (raw, path) => {
    expect(() => parseMatchmakingConfig(raw)).toThrow(
      expect.objectContaining({ code: 'MATCHMAKING_CONFIG_INVALID', path }),
    );
  });
});

describe('matchmaking config file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file that is not JSON, naming the file', () => {
    dir = mkdtempSync(join(tmpdir(), 'playgap-mm-'));
    const path = join(dir, 'matchmaking.json');
    writeFileSync(path, '{ modes: ');
    expect(() => readMatchmakingFile(path)).toThrow(/\(file\) is not JSON/);
  });

  it('reloads a changed file, keeps the old config when the new one is bad', async () => {
    dir = mkdtempSync(join(tmpdir(), 'playgap-mm-'));
    const path = join(dir, 'matchmaking.json');
    writeFileSync(path, JSON.stringify(EXAMPLE));
    const outcomes: boolean[] = [];
    const source = openMatchmakingSource({
      path,
      reloadDebounceMs: 20,
      onReload: (o) => outcomes.push(o.ok),
    });
    try {
      const seen: string[][] = [];
      source.onChange((c) => seen.push(Object.keys(c.modes)));
      writeFileSync(`${path}.tmp`, JSON.stringify({ modes: { duel: { maxPlayers: 2 } } }));
      renameSync(`${path}.tmp`, path); // how editors save
      await waitFor(() => seen.length === 1, { timeoutMs: 10_000 });
      expect(source.current().modes.duel).toBeDefined();
      writeFileSync(path, '{"modes": {"duel": {"maxPlayers": 0}}}');
      await waitFor(() => outcomes.includes(false), { timeoutMs: 10_000 });
      expect(source.current().modes.duel).toMatchObject({ maxPlayers: 2 });
      expect(source.reload()).toBe(false);
    } finally {
      source.close();
    }
  });
});

describe('docs/matchmaking.md', () => {
  it('shows a config file the schema takes', async () => {
    const { readFileSync } = await import('node:fs');
    const page = readFileSync(new URL('../../../docs/matchmaking.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(page)?.[1] as string;
    const config = parseMatchmakingConfig(JSON.parse(block));
    expect(Object.keys(config.modes).sort()).toEqual(['2v2', 'any', 'ffa']);
  });
});
