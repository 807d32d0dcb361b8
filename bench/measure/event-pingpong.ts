/**
 * Event set/wait round trip between this process and a forked child, with
 * two Events: this process does `ping.set(); await pong.wait(); pong.clear()`,
 * the child `await ping.wait(); ping.clear(); pong.set()` (each clears the
 * Event it waited on before setting the other's, so no round is lost or
 * counted twice). The child sets `ready` once it runs (start-up excluded),
 * then 1,000 warm-up round trips, then `n` timed ones; the mean, in µs.
 * The child reports how many rounds it answered, which must be all of them.
 *
 * The time depends mostly on whether the two processes share a CPU (a wake-up
 * on the same CPU is a context switch; on another, idle one it can cost tens
 * of µs on a VM), so between blocks of 1,000 rounds (outside the timing) it
 * notes where both last ran; `sameCpuShare` is the share of those samples
 * with both on one CPU (null without /proc). bench/python/mp_shared.py does
 * the same.
 *
 *   node dist/bench/measure/event-pingpong.js n
 */
import { firstValueFrom } from 'rxjs';
import { Event, Process } from '../../src/index.js';
import { argInt, report } from './report.js';
import { timeRounds } from './timed-rounds.js';

const n = argInt(2, 20_000);
const BLOCK = 1000;
const warmUp = Math.min(BLOCK, n);
const ping = new Event();
const pong = new Event();
const ready = new Event();
const child = new Process({
  target: new URL('../workers/event-ponger.js', import.meta.url),
  args: [ping, pong, ready, warmUp + n],
  kind: 'fork',
}).start();
const answered = firstValueFrom(child.output$);

let rounds = 0;
async function play(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    ping.set();
    await pong.wait();
    // The child clears ping before it sets pong.
    if (ping.isSet()) throw new Error(`round ${rounds}: ping is still set after pong`);
    pong.clear();
    rounds++;
  }
}

await ready.wait();
const { us, sameCpuShare } = await timeRounds({ childPid: child.pid, play, warmUp, n, block: BLOCK });
const childRounds = (await answered) as number;
await child.join();
if (rounds !== warmUp + n || childRounds !== warmUp + n) {
  throw new Error(`rounds: this process ${rounds}, the child ${childRounds}, expected ${warmUp + n}`);
}
report({ value: us, unit: 'µs', detail: { rounds: n, warmUp, sameCpuShare } });
