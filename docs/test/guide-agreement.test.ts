// The guides name one app and two versions: the local one (`npm start`, edgegap-local, bots)
// and the release tag of deploy-edgegap.md (a `v*` git tag, docker/.env.example). Every app or
// version value written in README.md or docs/*.md, in prose or in code, must be one of those.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { STACK_DEFAULTS } from '../../scripts/lib/stack.mjs';
import { guideFiles, REPO } from './guide-blocks.js';

const LOCAL = { app: STACK_DEFAULTS.app as string, version: STACK_DEFAULTS.version as string };

function envExample(name: string): string {
  const text = readFileSync(join(REPO, 'docker/.env.example'), 'utf8');
  const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1];
  if (!value) throw new Error(`docker/.env.example has no ${name}`);
  return value;
}

/** Where guides write an app name or a version, with the value in the group `v`. */
const APP_PATTERNS = [
  /--(?:app|app-name|game) (?<v>[^\s`'"\\]+)/g,
  /PLAYGAP_APP=(?<v>[^\s`'"\\]+)/g,
  /"(?:game|app)": ?"(?<v>[^"]+)"/g,
  /\b(?:game|application): '(?<v>[^']+)'/g,
  /\bapp `(?<v>[^`]+)`/g,
];
const VERSION_PATTERNS = [
  /--(?:version|app-version) (?<v>[^\s`'"\\]+)/g,
  /PLAYGAP_VERSIONS?=(?<v>[^\s`'"\\]+)/g,
  /"version": ?"(?<v>[^"]+)"/g,
  /\bversion: '(?<v>[^']+)'/g,
  /\bgit (?:tag|push origin) (?<v>[^\s`]+)/g,
  /\bversion `(?<v>[^`]+)`/g,
];
/** Placeholders (`NAME`, `<v>`, `$TAG`) and words are not values. */
const IS_APP = /^[a-z][a-z0-9_-]*$/;
const IS_VERSION = /^v?\d+(\.\d+)*$/;

function valuesIn(patterns: RegExp[], shape: RegExp): { where: string; value: string }[] {
  const found: { where: string; value: string }[] = [];
  for (const file of guideFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
          const value = match.groups?.v ?? '';
          if (shape.test(value)) found.push({ where: `${relative(REPO, file)}:${i + 1}`, value });
        }
      }
    });
  }
  return found;
}

describe('the guides agree', () => {
  const release = envExample('PLAYGAP_VERSIONS');

  it('on one app name, the one npm start and docker/.env.example use', () => {
    expect(envExample('PLAYGAP_APP')).toBe(LOCAL.app);
    const apps = valuesIn(APP_PATTERNS, IS_APP);
    expect(apps.length).toBeGreaterThan(5);
    expect(apps.filter((a) => a.value !== LOCAL.app)).toEqual([]);
  });

  it('on two versions: the local one and the release tag', () => {
    const versions = valuesIn(VERSION_PATTERNS, IS_VERSION);
    expect(versions.map((v) => v.value)).toContain(LOCAL.version);
    expect(versions.map((v) => v.value)).toContain(release);
    expect(versions.filter((v) => v.value !== LOCAL.version && v.value !== release)).toEqual([]);
  });

  it('with a release tag the release workflows build and bots that default to the local version', () => {
    expect(release).toMatch(/^v/);
    for (const workflow of ['release-server.yml', 'release-services.yml']) {
      const text = readFileSync(join(REPO, '.github/workflows', workflow), 'utf8');
      expect(text, workflow).toContain('tags: ["v*"]');
    }
    const bots = readFileSync(join(REPO, 'bench/bots/run-bots.ts'), 'utf8');
    expect(bots).toContain(`version: { type: 'string', default: '${LOCAL.version}' }`);
    expect(bots).toContain(`game: { type: 'string', default: '${LOCAL.app}' }`);
  });
});
