/** Helpers for pipe specs with runtimes joined in memory (see `spec/support/runtimes.ts`, which also has `pass`). */
import { exportValue, loseTransfer, type Transfer } from '../../../src/process/handle-passing.js';
import type { Runtime } from '../../../src/transport/runtime.js';

/** Takes `value` out of `from` as if toward a child that exits before it arrives: its handles are lost. */
export async function loseOnTheWay(value: unknown, from: Runtime): Promise<void> {
  const transfer: Transfer = await exportValue(value, from);
  loseTransfer(transfer, from);
}

/** What a runtime's pipe host keeps. */
export function held(runtime: Runtime): { ends: number; closing: number; pipes: number } {
  return runtime.pipeHost.held();
}

export const NOTHING_HELD = { ends: 0, closing: 0, pipes: 0 };
