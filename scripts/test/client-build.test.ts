import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { clientSourcesHash, isClientBuilt } from '../lib/client-build.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'playgap-client-build-'));
  roots.push(root);
  mkdirSync(join(root, 'client-template/src'), { recursive: true });
  mkdirSync(join(root, 'server-template/src/game'), { recursive: true });
  writeFileSync(join(root, 'client-template/index.html'), '<html></html>');
  writeFileSync(join(root, 'client-template/src/main.ts'), 'export {};');
  writeFileSync(join(root, 'server-template/src/game/movement.ts'), 'export const v = 1;');
  return root;
}

describe('client build freshness', () => {
  it('changes the hash when a source the page imports changes, not when a test does', () => {
    const root = fakeRoot();
    const before = clientSourcesHash(root);
    writeFileSync(join(root, 'client-template/src/main.test.ts'), 'it();');
    expect(clientSourcesHash(root)).toBe(before);
    writeFileSync(join(root, 'server-template/src/game/movement.ts'), 'export const v = 2;');
    expect(clientSourcesHash(root)).not.toBe(before);
  });

  it('tells builds for other settings apart', () => {
    const root = fakeRoot();
    expect(clientSourcesHash(root, { VITE_PLAYGAP_GAME: 'arena' })).not.toBe(
      clientSourcesHash(root, { VITE_PLAYGAP_GAME: 'other' }),
    );
  });

  it('counts dist/ as built only when its stamp matches the sources, whatever the mtimes', () => {
    const root = fakeRoot();
    expect(isClientBuilt(root)).toBe(false);
    mkdirSync(join(root, 'client-template/dist'));
    writeFileSync(join(root, 'client-template/dist/.sources-hash'), clientSourcesHash(root));
    expect(isClientBuilt(root)).toBe(true);
    // A newer dist/ built from older sources (a merge landing during a build) is not fresh.
    writeFileSync(join(root, 'client-template/src/main.ts'), 'export const changed = true;');
    expect(isClientBuilt(root)).toBe(false);
  });
});
