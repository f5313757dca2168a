// Static rules every playgap Dockerfile must follow (there is no Docker engine in CI): pinned
// Debian base for linux/amd64, multi-stage, non-root, declared ports, exec-form entrypoint, and
// every path the final stage copies is one the build produces from a real workspace.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SERVER_COMMAND } from '@playgap/cli';
import { describe, expect, it } from 'vitest';
import { execForm, readDockerfile, resolveImage } from './dockerfile.js';

const repo = join(import.meta.dirname, '..', '..');
const dockerfiles = ['gameserver', 'sidecar', 'matchmaker'];

describe.each(dockerfiles)('docker/%s.Dockerfile', (name) => {
  const path = join(repo, 'docker', `${name}.Dockerfile`);
  const dockerfile = readDockerfile(path);
  const final = dockerfile.stages.at(-1)!;

  // A stage built on an earlier stage (`FROM deps AS build`) inherits its base and platform.
  const earlier = (stage: (typeof dockerfile.stages)[number]) =>
    dockerfile.stages.slice(0, dockerfile.stages.indexOf(stage)).some((s) => s.name === stage.from);
  const fromImages = dockerfile.stages.filter((stage) => !earlier(stage));

  it('builds in several stages, each for linux/amd64', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of fromImages) expect(stage.platform).toBe('linux/amd64');
    expect(fromImages).toContain(final);
  });

  it('uses a Debian (glibc) Node base pinned to an exact version, never latest', () => {
    for (const stage of fromImages) {
      const image = resolveImage(dockerfile, stage.from);
      expect(image).toMatch(/^node:\d+\.\d+\.\d+-(bookworm|bullseye|trixie)(-slim)?$/);
      expect(image).not.toContain('latest');
    }
  });

  it('runs as a non-root user', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('declares the ports it listens on', () => {
    const exposed = final.instructions
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/));
    expect(exposed.length).toBeGreaterThan(0);
    for (const port of exposed) expect(port).toMatch(/^\d{2,5}\/(tcp|udp)$/);
  });

  it('has a HEALTHCHECK in exec form', () => {
    const check = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
    expect(check?.args).toMatch(/CMD \[/);
  });

  it('shares its first stages with the other Dockerfiles, so one build caches them for all', () => {
    const prefix = (file: string) => {
      const text = readFileSync(join(repo, 'docker', `${file}.Dockerfile`), 'utf8');
      return text.slice(text.indexOf('ARG NODE_IMAGE'), text.indexOf('RUN npx tsc -b'));
    };
    for (const other of dockerfiles) expect(prefix(other)).toBe(prefix(name));
  });

  it('has an exec-form entrypoint', () => {
    expect(execForm(final, 'ENTRYPOINT')?.length).toBeGreaterThan(0);
  });

  it('installs only production dependencies into what it ships', () => {
    const runs = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'RUN');
    expect(runs.some((r) => /npm ci --omit=dev/.test(r.args))).toBe(true);
  });

  it('copies only workspaces that exist, from the build stage', () => {
    const workspaces: string[] = JSON.parse(
      readFileSync(join(repo, 'package.json'), 'utf8'),
    ).workspaces;
    const copies = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build /src/'));
    for (const copy of copies) {
      const source = copy.args.split(/\s+/)[1]!.slice('/src/'.length);
      const top = source.split('/')[0]!;
      if (top === 'node_modules' || top === 'package.json') continue;
      expect(workspaces, `line ${copy.line}`).toContain(top);
      expect(existsSync(join(repo, top, 'package.json'))).toBe(true);
    }
    const workspaceFlags = [
      ...readFileSync(path, 'utf8').matchAll(/--workspace=(@playgap\/[\w-]+)/g),
    ].map((m) => m[1]!);
    for (const flag of workspaceFlags) {
      const dir = flag.slice('@playgap/'.length);
      const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
      expect(pkg.name).toBe(flag);
    }
  });

  it('has a Dockerfile-specific .dockerignore that keeps node_modules and dist out', () => {
    const ignore = readFileSync(`${path}.dockerignore`, 'utf8');
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
    expect(ignore).toMatch(/^\*\*\/dist$/m);
  });
});

/** Workspace dirs a set of workspaces needs at run time: their @playgap dependencies, transitively. */
function runtimeWorkspaces(roots: string[]): string[] {
  const workspaces: string[] = JSON.parse(
    readFileSync(join(repo, 'package.json'), 'utf8'),
  ).workspaces;
  const dirOf = new Map<string, string>();
  for (const dir of workspaces) {
    const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
    dirOf.set(pkg.name, dir);
  }
  const needed = new Set<string>();
  const visit = (dir: string) => {
    if (needed.has(dir)) return;
    needed.add(dir);
    const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      const dep = dirOf.get(name);
      if (dep) visit(dep);
    }
  };
  roots.forEach(visit);
  return [...needed].sort();
}

describe.each([
  ['gameserver', ['sidecar', 'server-template']],
  ['matchmaker', ['matchmaker']],
  ['sidecar', ['sidecar']],
])('docker/%s.Dockerfile ships every workspace it runs', (name, roots) => {
  const text = readFileSync(join(repo, 'docker', `${name}.Dockerfile`), 'utf8');
  it.each(runtimeWorkspaces(roots))('%s (package.json and dist)', (dir) => {
    const copied =
      text.includes(`COPY --from=build /src/${dir}/dist ./${dir}/dist`) &&
      text.includes(`COPY --from=build /src/${dir}/package.json ./${dir}/package.json`);
    const looped = new RegExp(`for pkg in [\\w\\s-]*\\b${dir}\\b`).test(text);
    expect(copied || looped).toBe(true);
  });
});

describe('docker/gameserver.Dockerfile', () => {
  const dockerfile = readDockerfile(join(repo, 'docker', 'gameserver.Dockerfile'));
  const final = dockerfile.stages.at(-1)!;

  it('runs the game server under the sidecar supervisor', () => {
    expect(execForm(final, 'ENTRYPOINT')).toEqual(['node', '/app/sidecar/dist/main.js']);
    // `run --` is in the CMD, which an Edgegap version's `arguments` replace (CA as argument).
    expect(execForm(final, 'CMD')).toEqual(['run', '--', ...DEFAULT_SERVER_COMMAND]);
  });

  it('installs the WebTransport quiche addon', () => {
    const text = readFileSync(join(repo, 'docker', 'gameserver.Dockerfile'), 'utf8');
    expect(text).toMatch(/@fails-components\/webtransport-transport-http3-quiche@\d+\.\d+\.\d+/);
  });
});
