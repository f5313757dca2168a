// Bench: `playgap servers --json` reading N server records from a real nats-server's KV (the
// CLI's heaviest read). Needs the build (npx tsc -b). Run: npm run bench -w @playgap/cli
// Env: BENCH_SERVERS (default 1000), BENCH_ROUNDS (default 5).
import { PassThrough } from 'node:stream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { runCli } from '@playgap/cli';
import { startNatsServer } from '@playgap/testkit';

const count = Number(process.env.BENCH_SERVERS ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
try {
  const kv = await new Kvm(nc).create('playgap_bench_servers', { history: 1 });
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const record = {
      id: `s${i}`,
      app: 'bench',
      version: 'v1',
      state: 'ready',
      publicIp: '203.0.113.7',
      ports: {},
      transports: [],
      certDigest: '',
      capacity: 16,
      players: 3,
      startedAt: now,
      updatedAt: now,
    };
    await kv.put(`s${i}`, JSON.stringify(record));
  }
  const times = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const code = await runCli(['servers', '--app', 'bench', '--json'], {
      stdout: new PassThrough().resume(),
      stderr: process.stderr,
      env: { NATS_URL: nats.url },
      now: () => now,
    });
    if (code !== 0) throw new Error(`exit ${code}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `playgap servers --json: ${count} records, ${rounds} rounds, median ${median.toFixed(0)} ms, best ${times[0].toFixed(0)} ms`,
  );
} finally {
  await nc.close();
  await nats.stop();
}
