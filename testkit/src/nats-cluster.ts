/**
 * A real nats-server cluster on loopback for tests and benches: N JetStream nodes, each with its
 * own client, route and monitoring port and its own store, routed to each other, ready once the
 * JetStream meta leader is elected. A node can be killed (SIGKILL) and restarted with its store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from '@playgap/protocol';
import { type RunningNatsServer, startNatsServer, storeParent } from './nats-server.js';
import { freePort } from './ports.js';

/** How to start a cluster. */
export interface NatsClusterOptions {
  /** Number of nodes; default 3 (the smallest cluster that survives losing one). */
  size?: number;
  /** Longest each wait (start, meta leader) may take: a bound for a busy machine, not the
   * usual (a second or two). Default 60 000 ms. */
  timeoutMs?: number;
}

/** One node: its fixed ports survive restarts, so clients' server lists stay valid. */
export interface NatsClusterNode {
  /** The server name (`n1`, `n2`, ...), as JetStream reports leaders. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  /** Whether the process runs (false between `kill` and `restart`). */
  readonly running: boolean;
}

export interface RunningNatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated, as NATS_URL takes it. */
  readonly url: string;
  /** SIGKILL node `index`, as a crash; its store stays for `restart`. */
  kill(index: number): Promise<void>;
  /** Start node `index` again on its ports with its store; resolves once it knows the meta leader. */
  restart(index: number): Promise<void>;
  /** Resolve once every running node agrees on a JetStream meta leader; returns its name. */
  waitForMetaLeader(): Promise<string>;
  /** The node (index) leading stream `stream` now, e.g. `KV_playgap_arena_seats`. */
  streamLeader(stream: string): Promise<number | undefined>;
  /** Stop every node and remove the stores. */
  stop(): Promise<void>;
}

interface NodeState {
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
  server: RunningNatsServer | undefined;
}

/**
 * Start a cluster and resolve once its JetStream meta leader is elected.
 *
 * @example
 * const cluster = await startNatsCluster();
 * const nc = await connect({ servers: cluster.url.split(',') });
 * await cluster.kill(0);
 * await cluster.restart(0);
 * await cluster.stop();
 */
export async function startNatsCluster(
  options: NatsClusterOptions = {},
): Promise<RunningNatsCluster> {
  const size = options.size ?? 3;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const nodes: NodeState[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push({
      name: `n${i + 1}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir: await mkdtemp(join(storeParent(), `playgap-nats-n${i + 1}-`)),
      server: undefined,
    });
  }
  const routes = nodes.map((n) => `nats-route://127.0.0.1:${n.clusterPort}`).join(',');
  const start = async (node: NodeState) => {
    node.server = await startNatsServer({
      port: node.port,
      storeDir: node.storeDir,
      startTimeoutMs: timeoutMs,
      args: [
        '-n',
        node.name,
        '-m',
        String(node.monitorPort),
        '--cluster_name',
        'playgap',
        '--cluster',
        `nats://127.0.0.1:${node.clusterPort}`,
        '--routes',
        routes,
      ],
    });
  };
  const jsz = async (node: NodeState, query = ''): Promise<Jsz | undefined> => {
    try {
      const res = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz${query}`, {
        signal: AbortSignal.timeout(2_000),
      });
      return (await res.json()) as Jsz;
    } catch {
      return undefined; // not listening yet, or killed
    }
  };
  const waitForMetaLeader = async (): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    const backoff = new Backoff({ initialDelayMs: 20, maxDelayMs: 200 });
    while (Date.now() < deadline) {
      const running = nodes.filter((n) => n.server);
      const leaders = await Promise.all(running.map(async (n) => (await jsz(n))?.meta_cluster));
      const leader = leaders[0]?.leader;
      if (leader && leaders.every((m) => m?.leader === leader)) return leader;
      await sleep(backoff.next()); // the monitor has no event to wait on
    }
    throw new Error(`the NATS cluster elected no JetStream meta leader within ${timeoutMs} ms`);
  };
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.server?.stop()));
    await Promise.all(nodes.map((n) => rm(n.storeDir, { recursive: true, force: true })));
  };
  try {
    await Promise.all(nodes.map(start));
    await waitForMetaLeader();
  } catch (error) {
    await stop();
    throw error;
  }
  const nodeAt = (index: number): NodeState => {
    const node = nodes[index];
    if (!node) throw new RangeError(`the cluster has no node ${index} (it has ${size})`);
    return node;
  };
  return {
    nodes: nodes.map((n) => ({
      name: n.name,
      url: `nats://127.0.0.1:${n.port}`,
      port: n.port,
      monitorPort: n.monitorPort,
      storeDir: n.storeDir,
      get running() {
        return n.server !== undefined;
      },
    })),
    url: nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(','),
    async kill(index) {
      const node = nodeAt(index);
      await node.server?.kill();
      node.server = undefined;
    },
    async restart(index) {
      const node = nodeAt(index);
      if (node.server) await node.server.stop({ keepStore: true });
      node.server = undefined;
      await start(node);
      await waitForMetaLeader();
    },
    waitForMetaLeader,
    async streamLeader(stream) {
      for (const node of nodes.filter((n) => n.server)) {
        const details = await jsz(node, '?streams=true');
        for (const account of details?.account_details ?? []) {
          for (const detail of account.stream_detail ?? []) {
            const leader = detail.name === stream ? detail.cluster?.leader : undefined;
            if (leader) return nodes.findIndex((n) => n.name === leader);
          }
        }
      }
      return undefined;
    },
    stop,
  };
}

/** The part of nats-server's `/jsz` monitoring answer read here. */
interface Jsz {
  meta_cluster?: { leader?: string };
  account_details?: Array<{
    stream_detail?: Array<{ name: string; cluster?: { leader?: string } }>;
  }>;
}
