// .github/workflows checked in CI: each file valid against the GitHub Actions workflow schema
// (@action-validator/core), actions pinned to a major version, every playgap CLI command a
// workflow runs is a real command, and every secret and variable is documented in the guide.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { COMMANDS } from '@playgap/cli';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const workflowDir = join(repo, '.github', 'workflows');
const files = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => readFileSync(join(workflowDir, file), 'utf8');

describe('.github/workflows', () => {
  it('has the CI, server release and service release workflows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release-server.yml', 'release-services.yml']);
  });

  it.each(files)('%s is valid against the workflow schema', (file) => {
    const state = validateWorkflow(read(file));
    expect(state.errors).toEqual([]);
  });

  it('the validator rejects a broken workflow (the check bites)', () => {
    const state = validateWorkflow('on: push\njobs:\n  test:\n    steps: nope\n');
    expect(state.errors.length).toBeGreaterThan(0);
  });

  it.each(files)('%s pins every action to a version, never a branch', (file) => {
    for (const match of read(file).matchAll(/uses:\s*(\S+)/g)) {
      expect(match[1]).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    }
  });

  it('CI runs the README’s test command on push and pull request', () => {
    const ci = read('ci.yml');
    expect(ci).toMatch(/^on:\n {2}push:/m);
    expect(ci).toMatch(/^ {2}pull_request:/m);
    expect(ci).toContain('run: npm test');
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('npm test');
  });

  it('the server release pushes to Edgegap’s registry and runs real playgap commands', () => {
    const release = read('release-server.yml');
    expect(release).toMatch(/tags: \["v\*"\]/);
    expect(release).toContain('IMAGE: registry.edgegap.com/');
    expect(release).toContain('file: docker/gameserver.Dockerfile');
    const names = COMMANDS.map((c) => c.name);
    const script = readFileSync(join(repo, 'scripts', 'release', 'release.sh'), 'utf8');
    const runs = [...script.matchAll(/node cli\/bin\/playgap\.js ([a-z-]+)(?: ([a-z]+))?/g)];
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const [, first, second] of runs) {
      expect(names.includes(`${first} ${second}`) || names.includes(first!)).toBe(true);
    }
    expect(script).toContain('--config docker/edgegap-version.yaml');
    expect(script).toContain('node scripts/release/smoke.mjs');
  });

  it('the server release and its rehearsal run the same script, so they cannot drift', () => {
    const release = read('release-server.yml');
    expect(release).toContain('run: bash scripts/release/release.sh');
    // Every Edgegap step is in the script: the workflow runs no playgap command of its own.
    expect(release).not.toMatch(/playgap\.js|scripts\/release\/smoke/);
    const script = readFileSync(join(repo, 'scripts', 'release', 'release.sh'), 'utf8');
    const rehearse = readFileSync(join(repo, 'scripts', 'release', 'rehearse.sh'), 'utf8');
    expect(rehearse).toContain('containers/release.test.ts');
    const rehearsal = readFileSync(join(repo, 'docker', 'containers', 'release.test.ts'), 'utf8');
    expect(rehearsal).toContain("'scripts/release/release.sh'");
    // The workflow gives the script every variable it and the version config read.
    const config = readFileSync(join(repo, 'docker', 'edgegap-version.yaml'), 'utf8').replace(
      /#.*$/gm,
      '',
    );
    const needed = new Set(
      [...config.matchAll(/\$\{([A-Z_]+)\}/g), ...script.matchAll(/\$\{?([A-Z][A-Z_]+)/g)].map(
        (m) => m[1]!,
      ),
    );
    for (const name of needed) expect(release, name).toMatch(new RegExp(`\\b${name}:`));
  });

  it('documents every secret and variable the workflows use in docs/deploy-edgegap.md', () => {
    const guide = readFileSync(join(repo, 'docs', 'deploy-edgegap.md'), 'utf8');
    for (const file of files) {
      for (const match of read(file).matchAll(/\b(secrets|vars)\.([A-Z_]+)/g)) {
        if (match[2] === 'GITHUB_TOKEN') continue;
        expect(guide, `${match[1]}.${match[2]} in ${file}`).toContain(`\`${match[2]}\``);
      }
    }
  });
});
