// Bench: edgegap-local deploy → Status.READY latency for a tiny node TCP server, and client
// getStatus throughput against edgegap-local (rate limit lifted). Run after `npx tsc -b`:
//   node edgegap/bench/edgegap-local.mjs
import { EdgegapClient, startEdgegapLocal } from '../dist/index.js';

const server =
  "require('net').createServer(s=>s.end()).listen(+process.env.ARBITRIUM_PORT_GAME_INTERNAL,'127.0.0.1')";
const local = await startEdgegapLocal({
  timing: { statusStepMs: 0 },
  apps: [
    {
      name: 'bench',
      versions: [
        {
          name: 'v1',
          command: process.execPath,
          arguments: ['-e', server],
          ports: [{ name: 'game', port: 7777, protocol: 'TCP', to_check: true }],
          termination_grace_period_seconds: 1,
        },
      ],
    },
  ],
});
const edgegap = new EdgegapClient({
  apiUrl: local.url,
  apiKey: local.apiKey,
  rateLimits: { statusPerSecond: 1e6, deployPerSecond: 1e6 },
});
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];

const readyMs = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const { requestId } = await edgegap.deploy({
    application: 'bench',
    version: 'v1',
    users: [{ ipAddress: '1.1.1.1' }],
  });
  for (;;) {
    if ((await edgegap.getStatus(requestId)).ready) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  readyMs.push(performance.now() - t0);
  await edgegap.stopDeployment(requestId);
}
console.log(
  `deploy→READY ms: p50 ${percentile(readyMs, 0.5).toFixed(0)} p90 ${percentile(readyMs, 0.9).toFixed(0)} (n=10, statusStepMs 0)`,
);

const { requestId } = await edgegap.deploy({
  application: 'bench',
  version: 'v1',
  users: [{ ipAddress: '1.1.1.1' }],
});
const n = 2000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let i = 0; i < n / 8; i++) await edgegap.getStatus(requestId);
  }),
);
const seconds = (performance.now() - t0) / 1000;
console.log(`getStatus: ${(n / seconds).toFixed(0)} calls/s (n=${n}, concurrency 8)`);
await local.close();
