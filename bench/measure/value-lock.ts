/**
 * Two forked children each do `n` times `await lock.acquire(); v.value += 1;
 * lock.release()` on one `Value('i')` and its `getLock()`, as Python's
 * `with v.get_lock(): v.value += 1`. Timed from "go" until both children
 * have said they are done (so neither start-up nor exit is measured); the
 * final value must be exactly 2n.
 *
 *   node dist/bench/measure/value-lock.js n
 */
import { Process, Queue, Value } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const CHILDREN = 2;
const v = new Value('i', 0);
const ready = new Queue<number>();
const go = new Queue<number>();
const done = new Queue<number>();
const children = Array.from({ length: CHILDREN }, () =>
  new Process({ target: new URL('../workers/value-incrementer.js', import.meta.url), args: [v, ready, go, done, n], kind: 'fork' }).start(),
);
for (const _ of children) await ready.get();
const t0 = performance.now();
for (const _ of children) await go.put(1);
for (const _ of children) await done.get();
const seconds = (performance.now() - t0) / 1000;
await Promise.all(children.map((c) => c.join()));
const untilExit = (performance.now() - t0) / 1000;
if (v.value !== CHILDREN * n) throw new Error(`lost updates: the value is ${v.value}, not ${CHILDREN * n}`);
report({ value: (CHILDREN * n) / seconds, unit: 'ops/s', detail: { untilExitOpsPerSecond: (CHILDREN * n) / untilExit } });
