import type { Barrier, Condition, Lock, Value } from 'rxmp';

/** Meets the others at `start`, adds 1000 to `total` under `lock`, and tells whoever waits on `done`. */
export default async function addUp(start: Barrier, lock: Lock, total: Value<'i'>, done: Condition, id: number) {
  await start.wait();
  for (let i = 0; i < 1000; i++) {
    await lock.runExclusive(() => {
      total.value += 1; // a read and a write: the lock makes it one step
    });
  }
  await done.runExclusive(() => done.notifyAll());
  return id;
}
