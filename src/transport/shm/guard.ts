import { readFileSync } from 'node:fs';
import { ME } from './bell-slots.js';

/**
 * A spin lock on one word of shared memory, held only for one step of a
 * primitive's state (a few hundred nanoseconds, never across an `await`).
 * The word holds the holder's owner id.
 *
 * A holder stopped in the middle of its step (SIGKILL, or a worker thread
 * terminated there) would make every other user spin forever, and a spinner
 * blocks its own event loop, so it could not even hear of the death. So a
 * spinner gives up spinning after SPINS tries and sleeps 1 ms at a time,
 * and takes the guard over when its holder is a process that is gone (no
 * `/proc/<pid>`, or a zombie), or a thread of this process still holding
 * it after TAKE_OVER_MS (a million times a step: it was terminated there).
 */
const SPINS = 10_000;
const TAKE_OVER_MS = 1000;

const nap = new Int32Array(new SharedArrayBuffer(4));

export function guarded<T>(words: Int32Array, index: number, step: () => T): T {
  if (Atomics.compareExchange(words, index, 0, ME) !== 0) waitFor(words, index);
  try {
    return step();
  } finally {
    Atomics.store(words, index, 0);
  }
}

function waitFor(words: Int32Array, index: number): void {
  for (let i = 0; i < SPINS; i++) if (Atomics.compareExchange(words, index, 0, ME) === 0) return;
  const since = Date.now();
  for (;;) {
    const holder = Atomics.compareExchange(words, index, 0, ME);
    if (holder === 0) return;
    const mine = holder % 2 ** 22 === process.pid;
    const gone = mine ? Date.now() - since > TAKE_OVER_MS : !processAlive(holder % 2 ** 22);
    if (gone && Atomics.compareExchange(words, index, holder, ME) === holder) {
      process.emitWarning(`took over a shared-memory guard from owner ${holder}, stopped in the middle of a step`, {
        type: 'RxmpWarning',
        code: 'RXMP_GUARD_TAKEN_OVER',
      });
      return;
    }
    Atomics.wait(nap, 0, 0, 1);
  }
}

/** Is `pid` a live process (not gone, not a zombie)? Linux reads /proc; elsewhere a signal 0. */
function processAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
