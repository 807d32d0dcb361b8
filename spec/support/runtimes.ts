import { exportValue, importValue } from '../../src/process/handle-passing.js';
import { Runtime } from '../../src/transport/runtime.js';

/**
 * Runtimes made for one test, joined in memory (no listener, no socket):
 * closed after the test.
 */
const made: Runtime[] = [];

export function memoryRuntimes(count = 2): Runtime[] {
  const runtimes = Array.from(
    { length: count },
    (_, i) => new Runtime({ id: `memory-${i}-${Math.random().toString(36).slice(2, 8)}`, listen: false }),
  );
  for (let i = 0; i < runtimes.length; i++) {
    for (let j = i + 1; j < runtimes.length; j++) Runtime.connect(runtimes[i] as Runtime, runtimes[j] as Runtime);
  }
  made.push(...runtimes);
  return runtimes;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((r) => r.close()));
});

/** Sends `value` from runtime `from` to runtime `to`, as Process args travel (only what structured clone keeps crosses). */
export async function pass<T>(value: T, from: Runtime, to: Runtime): Promise<T> {
  const transfer = await exportValue(value, from);
  return importValue(structuredClone(transfer), to) as T;
}
