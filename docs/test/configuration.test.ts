// docs/configuration.md against the settings schemas, both ways: every variable and flag a
// schema defines has a row here showing its default, and every PLAYGAP_/NATS_/EDGEGAP_
// variable this page names is defined by a schema or read by the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MATCHMAKER_NATS_FLAGS, MATCHMAKER_SETTINGS } from '@playgap/matchmaker';
import type { Setting } from '@playgap/protocol/config';
import { SIDECAR_SETTINGS } from '@playgap/sidecar/settings';
import { describe, expect, it } from 'vitest';
import { REPO } from './guide-blocks.js';

const page = readFileSync(join(REPO, 'docs', 'configuration.md'), 'utf8');
const rows = page
  .split('\n')
  .filter((line) => line.startsWith('| '))
  .map((line) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim()),
  );

const SCHEMAS: [string, Record<string, Setting<unknown>>][] = [
  ['sidecar', SIDECAR_SETTINGS],
  ['matchmaker', MATCHMAKER_SETTINGS],
  ['matchmaker NATS flags', MATCHMAKER_NATS_FLAGS],
];

/** How this page writes a setting's default. */
function documentedDefault(setting: Setting<unknown>): string | undefined {
  if (setting.required) return 'required';
  if (setting.defaultText !== undefined) return setting.defaultText;
  const value = setting.default;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none';
  if (typeof value === 'object') return undefined; // shown through defaultText
  return String(value);
}

/** The rows naming a setting: by its variable in the first cell, or by its flag. */
function rowsOf(setting: Setting<unknown>): string[][] {
  return rows.filter(
    (cells) =>
      (setting.env !== undefined && cells[0]?.split(/[ ,/]+/).includes(`\`${setting.env}\``)) ||
      (setting.flag !== undefined &&
        cells.slice(0, 2).some((c) => c.includes(`\`--${setting.flag}\``))),
  );
}

describe('configuration.md against the schemas', () => {
  for (const [component, schema] of SCHEMAS) {
    it(`shows every ${component} setting with its default`, () => {
      const wrong: string[] = [];
      for (const [key, setting] of Object.entries(schema)) {
        if (setting.env === undefined && setting.flag === undefined) continue; // code-only
        const expected = documentedDefault(setting);
        const found = rowsOf(setting);
        // A default cell may hold alternatives: `required; the sidecar: <its default>`.
        const shown = found.some((cells) =>
          cells.some((cell) =>
            cell
              .split('; ')
              .map((part) => part.replace(/^the [a-z]+: /, ''))
              .some((part) => part === expected || part === `\`${expected}\``),
          ),
        );
        if (!shown)
          wrong.push(`${key} (${setting.env ?? `--${setting.flag}`}): default ${expected}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('names no variable that no schema defines and no code reads', () => {
    const defined = new Set(
      SCHEMAS.flatMap(([, schema]) => Object.values(schema).map((s) => s.env)).filter(Boolean),
    );
    const code = sources(REPO)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const named = new Set(
      [...page.matchAll(/`((?:PLAYGAP|NATS|EDGEGAP)_[A-Z0-9_]*[A-Z0-9])`/g)].map((m) => m[1]!),
    );
    // `PLAYGAP_PORT_GAME` is one of `PLAYGAP_PORT_${name}`.
    const readAs = (name: string) =>
      code.includes(name) || code.includes(`${name.slice(0, name.lastIndexOf('_') + 1)}\${`);
    const unknown = [...named].filter((name) => !defined.has(name) && !readAs(name));
    expect(unknown).toEqual([]);
    expect(named.size).toBeGreaterThan(30); // the scan found the page's variables
  });
});

/** Source files of the components and scripts (no tests, no build output). */
function sources(dir: string): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', 'docs', 'test', 'bench']);
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|mjs|js|sh|yaml|yml|example)$/.test(name) && !name.includes('.test.'))
      found.push(path);
    else if (name === 'Dockerfile' || name.startsWith('.env')) found.push(path);
  }
  return found;
}
