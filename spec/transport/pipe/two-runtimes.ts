/** Helpers for pipe specs with two runtimes joined in memory (see `spec/support/runtimes.ts`). */
import { exportValue, importValue, loseTransfer, type Transfer } from '../../../src/process/handle-passing.js';
import type { Runtime } from '../../../src/transport/runtime.js';
import { sleep } from '../../support/async.js';

/** Sends `value` from runtime `from` to runtime `to`, as Process args travel (only what structured clone keeps crosses). */
export async function pass<T>(value: T, from: Runtime, to: Runtime): Promise<T> {
  const transfer = await exportValue(value, from);
  return importValue(structuredClone(transfer), to) as T;
}

/** Takes `value` out of `from` as if toward a child that exits before it arrives: its handles are lost. */
export async function loseOnTheWay(value: unknown, from: Runtime): Promise<void> {
  const transfer: Transfer = await exportValue(value, from);
  loseTransfer(transfer, from);
}

/** Waits until `done()` holds (messages between memory runtimes take a few turns), failing after `ms`. */
export async function until(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`still not so after ${ms} ms`);
    await sleep(1);
  }
}

/** What a runtime's pipe host keeps. */
export function held(runtime: Runtime): { ends: number; closing: number; pipes: number } {
  return runtime.pipeHost.held();
}

export const NOTHING_HELD = { ends: 0, closing: 0, pipes: 0 };
