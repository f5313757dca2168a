// One vitest run for the whole monorepo: each workspace is a project, so `npm test`
// runs every suite and `npx vitest run --project sidecar` runs one.
import { availableParallelism } from 'node:os';
import { defaultServerConditions, defineConfig } from 'vite';

const packages = [
  'protocol',
  'testkit',
  'edgegap',
  'sidecar',
  'matchmaker',
  'client',
  'server',
  'server-template',
  'client-template',
  'docker',
  'cli',
  'e2e',
  'scripts',
  'docs',
];

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests (the "source" export
  // condition), so a test never runs against a stale dist/.
  resolve: { conditions: ['source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    pool: 'forks',
    // Vitest's default on N cores is N - 1 files at a time: one on a 2-core machine. Most
    // files here wait on child processes (nats-server, sidecars, Chromium), so two keep both
    // cores busy; every suite is written to pass on a loaded machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      ...packages.map((name) => ({
        extends: true,
        test: {
          name,
          root: `./${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          ...(name === 'e2e' ? { globalSetup: ['./test/artifacts-setup.ts'] } : {}),
        },
      })),
      // Real containers (docker/containers/): minutes of work, so not part of `npm test`;
      // `npm run test:containers` runs them after `npm run images`.
      ...(process.env.PLAYGAP_CONTAINER_TESTS
        ? [
            {
              extends: true as const,
              test: {
                name: 'containers',
                root: './docker',
                include: ['containers/**/*.test.ts'],
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
