// A bare clone bootstraps itself: node_modules is installed (npm ci) when it is missing or older
// than package-lock.json, announced in one line, and left alone when fresh.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dependencyState } from '../bootstrap.mjs';

describe('dependencyState', () => {
  it.each([
    [{ installedAtMs: undefined, lockedAtMs: 5 }, 'missing'],
    [{ installedAtMs: undefined, lockedAtMs: undefined }, 'missing'],
    [{ installedAtMs: 4, lockedAtMs: 5 }, 'stale'],
    [{ installedAtMs: 5, lockedAtMs: 5 }, 'fresh'],
    [{ installedAtMs: 6, lockedAtMs: 5 }, 'fresh'],
    [{ installedAtMs: 6, lockedAtMs: undefined }, 'fresh'],
  ])('%o is %s', (times, state) => {
    expect(dependencyState(times)).toBe(state);
  });
});

describe('node scripts/bootstrap.mjs', () => {
  // A project with one local dependency, so the real `npm ci` runs offline in well under a second.
  const dir = mkdtempSync(join(tmpdir(), 'playgap-bootstrap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'tiny'));
  copyFileSync(
    join(import.meta.dirname, '..', 'bootstrap.mjs'),
    join(dir, 'scripts/bootstrap.mjs'),
  );
  writeFileSync(join(dir, 'tiny/package.json'), '{"name":"tiny","version":"1.0.0"}');
  const manifest = {
    name: 'fake',
    version: '1.0.0',
    private: true,
    dependencies: { tiny: 'file:./tiny' },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  const lock = {
    name: 'fake',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fake', version: '1.0.0', dependencies: { tiny: 'file:./tiny' } },
      'node_modules/tiny': { resolved: 'tiny', link: true },
      tiny: { version: '1.0.0' },
    },
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  const bootstrap = () =>
    spawnSync(process.execPath, [join(dir, 'scripts/bootstrap.mjs')], {
      cwd: dir,
      encoding: 'utf8',
    });

  it('installs a missing node_modules and says so first', () => {
    const result = bootstrap();
    expect(result.stderr).not.toMatch(/EBADENGINE|Error/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^playgap: node_modules is missing: installing the locked dependencies \(npm ci\)…\n/,
    );
    expect(existsSync(join(dir, 'node_modules/tiny/package.json'))).toBe(true);
  });

  it('leaves a fresh node_modules alone, silently', () => {
    const result = bootstrap();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('reinstalls when package-lock.json changed after the install', () => {
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'node_modules/.package-lock.json'), earlier, earlier);
    const result = bootstrap();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^playgap: node_modules is older than package-lock.json: installing/,
    );
    expect(bootstrap().stdout).toBe('');
  });
});
