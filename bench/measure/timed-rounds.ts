import { readFileSync } from 'node:fs';

/**
 * Times rounds played with a child process, the way the Event and Barrier
 * rows do: `warmUp` untimed rounds, then `n` timed ones in blocks of
 * `block`. The time of a round depends mostly on whether the two processes
 * share a CPU (a wake-up on the same CPU is a context switch; on another,
 * idle one it can cost tens of µs on a VM), so between blocks (outside the
 * timing) it notes where both last ran: `sameCpuShare` is the share of those
 * samples with both on one CPU (null without /proc).
 */
export async function timeRounds(options: {
  childPid: number | undefined;
  play: (count: number) => Promise<void>;
  warmUp: number;
  n: number;
  block: number;
}): Promise<{ us: number; sameCpuShare: number | null }> {
  const { childPid, play, warmUp, n, block } = options;
  const samples: boolean[] = [];
  const sample = (): void => {
    const mine = lastCpu('self');
    const theirs = childPid === undefined ? undefined : lastCpu(childPid);
    if (mine !== undefined && theirs !== undefined) samples.push(mine === theirs);
  };
  await play(warmUp);
  let ms = 0;
  for (let left = n; left > 0; left -= block) {
    sample();
    const t0 = performance.now();
    await play(Math.min(block, left));
    ms += performance.now() - t0;
  }
  sample();
  const sameCpuShare = samples.length === 0 ? null : samples.filter(Boolean).length / samples.length;
  return { us: (ms * 1000) / n, sameCpuShare };
}

/** The CPU a process last ran on (field 39 of /proc/<pid>/stat), undefined where there is no /proc. */
function lastCpu(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]);
  } catch {
    return undefined;
  }
}
