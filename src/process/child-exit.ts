import { isMainThread, parentPort } from 'node:worker_threads';

/**
 * The exit rule of a child whose target settled without failing: it exits
 * when its event loop has nothing of the user's left, as a Node program
 * ends when its loop is empty (and as Python's child joins its non-daemon
 * threads first). A subscription the target started and left running — an
 * `interval` feeding a pipe end through `subscribe(conn)`, a pipeline
 * through `enqueue(q)`, a timer — keeps the child alive until it ends; then
 * rxmp flushes what it wrote and exits.
 *
 * rxmp's own handles do not count: its links hold the loop only while a
 * call waits on them (a put waiting for space, a get for an item), which is
 * the user's work; the control channel to the parent is let go here. Node
 * emits `beforeExit` when nothing else is left, in a forked child and in a
 * worker thread alike. When the loop is already empty this costs one turn.
 *
 * Resolves at the first `beforeExit`; the caller then flushes and exits
 * explicitly (work started by the flush must not make it fire again).
 */
export function untilIdle(): Promise<void> {
  return new Promise((resolve) => {
    process.once('beforeExit', () => resolve());
    if (isMainThread) process.channel?.unref();
    else parentPort?.unref();
  });
}
