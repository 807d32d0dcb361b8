import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who owns an RLock: an async task, not a thread. JavaScript has no task
 * identity of its own, so rxmp gives one to the code it runs for you:
 * inside `rlock.runExclusive(fn)` (and `acquire$()`, `withLock`), `fn`,
 * everything it awaits and everything it starts belong to one task, and
 * that task may take the RLock again. Code outside any task gets a fresh,
 * anonymous owner at each `acquire()`: two unrelated async functions in
 * one thread exclude each other, as two threads do in Python.
 */
export interface Task {
  readonly id: number;
}

const tasks = new AsyncLocalStorage<Task>();
let lastId = 0;

/** The task the current code runs in, if any. */
export function currentTask(): Task | undefined {
  return tasks.getStore();
}

/** Runs `fn` in the current task, or in a new one if there is none. */
export function inTask<R>(fn: (task: Task) => R): R {
  const task = tasks.getStore();
  if (task) return fn(task);
  const fresh = { id: ++lastId };
  return tasks.run(fresh, () => fn(fresh));
}

/** A new named task: code run in it (`runIn`) may take what it holds again. */
export function newTask(): Task {
  return { id: ++lastId };
}

/** Runs `fn` as part of `task`. */
export function runIn<R>(task: Task, fn: () => R): R {
  return tasks.run(task, fn);
}
