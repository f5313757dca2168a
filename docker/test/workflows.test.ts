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
    const runs = [...release.matchAll(/node cli\/bin\/playgap\.js ([a-z-]+)(?: ([a-z]+))?/g)];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const [, first, second] of runs) {
      expect(names.includes(`${first} ${second}`) || names.includes(first!)).toBe(true);
    }
    expect(release).toContain('--config docker/edgegap-version.yaml');
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
