import { Barrier, Condition, Lock, Process, Value } from 'rxmp';

const start = new Barrier(3, { timeout: 10_000 }); // 2 workers and this process
const lock = new Lock();
const total = new Value('i', 0, { lock: false }); // guarded by `lock` below
const done = new Condition();
const workers = [1, 2].map((id) =>
  new Process({ target: new URL('./workers/add-up.js', import.meta.url), args: [start, lock, total, done, id] }).start(),
);

await start.wait(); // everyone starts together
// Wait (without polling) until both workers have added their share.
await done.runExclusive(() => done.waitFor(() => total.value === 2000, { timeout: 10_000 }));
const codes = await Promise.all(workers.map((w) => w.join()));
console.log(`3 parties met at the barrier; total ${total.value}; exit codes ${codes.join(',')}`);
