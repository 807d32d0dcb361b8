/**
 * Barrier(2) rounds between this process and a forked child: each does
 * `await barrier.wait()` once per round on one `Barrier(2)`, the time per
 * round is what one `wait()` costs when the other party arrives too. The
 * child sets `ready` once it runs (start-up excluded), then 1,000 warm-up
 * rounds, then `n` timed ones; the mean, in µs. The child reports the arrival
 * index it got in every round; in each round one of the two must have 0 and
 * the other 1.
 *
 * As in event-pingpong.ts, the time depends mostly on whether the two
 * processes share a CPU, so between blocks of 1,000 rounds (outside the
 * timing) it notes where both last ran; `sameCpuShare` is the share of those
 * samples with both on one CPU (null without /proc). `parentFirstShare` is
 * the share of timed rounds this process arrived first (index 0).
 * bench/python/mp_shared.py does the same.
 *
 *   node dist/bench/measure/barrier-wait.js n
 */
import { firstValueFrom } from 'rxjs';
import { Barrier, Event, Process } from '../../src/index.js';
import { argInt, report } from './report.js';
import { timeRounds } from './timed-rounds.js';

const n = argInt(2, 20_000);
const BLOCK = 1000;
const warmUp = Math.min(BLOCK, n);
const total = warmUp + n;
const barrier = new Barrier(2);
const ready = new Event();
const child = new Process({
  target: new URL('../workers/barrier-waiter.js', import.meta.url),
  args: [barrier, ready, total],
  kind: 'fork',
}).start();
const answered = firstValueFrom(child.output$);

const indices = new Uint8Array(total);
let rounds = 0;
async function play(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    indices[rounds] = await barrier.wait();
    rounds++;
  }
}

await ready.wait();
const { us, sameCpuShare } = await timeRounds({ childPid: child.pid, play, warmUp, n, block: BLOCK });
const theirs = (await answered) as Uint8Array;
await child.join();
if (rounds !== total || theirs.length !== total) {
  throw new Error(`rounds: this process ${rounds}, the child ${theirs.length}, expected ${total}`);
}
for (let i = 0; i < total; i++) {
  if (indices[i] + theirs[i] !== 1 || indices[i] > 1) {
    throw new Error(`round ${i}: arrival indices ${indices[i]} (this process) and ${theirs[i]} (the child)`);
  }
}
const parentFirstShare = indices.subarray(warmUp).filter((i) => i === 0).length / n;
report({ value: us, unit: 'µs', detail: { rounds: n, warmUp, sameCpuShare, parentFirstShare } });
