/**
 * A CPU quota for one bench process, as a container's CPU limit (`docker run --cpus`,
 * Kubernetes `resources.limits.cpu`) sets it: the process is moved into a cgroup of its own
 * whose CFS quota is `cores` of a CPU. Used by the replica-scaling bench, where a replica
 * without a limit would take a whole core on a 2-core machine and leave nothing for a second
 * one. Needs root and the cgroup `cpu` controller (v1 `/sys/fs/cgroup/cpu`, or v2 with `cpu`
 * in `cgroup.controllers`).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';
const PERIOD_US = 20_000;

export class CpuLimitUnavailable extends Error {
  override name = 'CpuLimitUnavailable';
}

function cgroupRoot(): { root: string; v2: boolean } {
  if (existsSync(`${V1}/cgroup.procs`) && existsSync(`${V1}/cpu.cfs_quota_us`)) {
    return { root: V1, v2: false };
  }
  try {
    if (readFileSync(`${V2}/cgroup.controllers`, 'utf8').split(/\s+/).includes('cpu')) {
      return { root: V2, v2: true };
    }
  } catch {}
  throw new CpuLimitUnavailable(
    'No cgroup cpu controller here: BENCH_REPLICA_CPU needs Linux with /sys/fs/cgroup/cpu (v1) or cpu in /sys/fs/cgroup/cgroup.controllers (v2).',
  );
}

/**
 * Limit process `pid` to `cores` CPUs (0.4 = 40 % of one core); returns the function that
 * removes the cgroup once the process has exited.
 *
 * @example
 * const release = limitCpu(child.pid!, 0.4);
 * child.once('exit', release);
 */
export function limitCpu(pid: number, cores: number): () => void {
  if (!(cores > 0 && cores <= 64)) {
    throw new CpuLimitUnavailable(`BENCH_REPLICA_CPU must be a number of cores > 0, got ${cores}.`);
  }
  const { root, v2 } = cgroupRoot();
  const dir = `${root}/playgap-bench-${pid}`;
  const quota = Math.round(cores * PERIOD_US);
  try {
    if (v2) writeFileSync(`${root}/cgroup.subtree_control`, '+cpu');
    mkdirSync(dir);
    if (v2) writeFileSync(`${dir}/cpu.max`, `${quota} ${PERIOD_US}`);
    else {
      writeFileSync(`${dir}/cpu.cfs_period_us`, String(PERIOD_US));
      writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quota));
    }
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CpuLimitUnavailable(
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `Cannot create a cgroup under ${root} (${code}): run the bench as root, or without BENCH_REPLICA_CPU.`
        : `Cannot limit pid ${pid} under ${root}: ${(error as Error).message}`,
    );
  }
  return () => {
    try {
      rmdirSync(dir);
    } catch {}
  };
}
