/**
 * The entry point of every child, forked or thread: waits for the parent's
 * `start`, revives the arguments' handles, runs the target's export, streams
 * back an Observable result (or sends back any other return value), waits
 * until nothing of the user's is left (see `child-exit.ts`), flushes every
 * queue it used, and exits with 0 (or 1 at once when the target throws or rejects).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { encodeError } from '../wire/error-codec.js';
import { isHandle } from '../handle/handle-kinds.js';
import { revivedModuleHandles } from '../handle/module-handle.js';
import { PortLink } from '../transport/link/port-link.js';
import { Runtime } from '../transport/runtime.js';
import { ofProcess, ownersGone } from '../transport/shm/owners.js';
import { untilIdle } from './child-exit.js';
import type { ChildMsg, StartMsg, ThreadData } from './control.js';
import { exportValue, importValue, type Transfer } from './handle-passing.js';
import { importTarget } from './import-target.js';
import { dieWithParent } from './parent-death.js';

interface ObservableLike {
  subscribe(observer: { next(v: unknown): void; error(e: unknown): void; complete(): void }): unknown;
}

/** Control messages to the parent, in order; `done` waits until they are handed over. */
function channel(): { send(message: ChildMsg): void; done(): Promise<void> } {
  if (isMainThread) {
    let last: Promise<void> = Promise.resolve();
    return {
      send(message) {
        last = last.then(() => new Promise<void>((resolve) => process.send?.(message, undefined, {}, () => resolve())));
      },
      done: () => last,
    };
  }
  return {
    send: (message) => parentPort?.postMessage(message),
    done: () => Promise.resolve(),
  };
}

const control = channel();
let started = false;
/** Did an output value carry handles to a parent in another process? */
let handedOut = false;
let parted: (() => void) | undefined;

function onStart(message: unknown): void {
  if ((message as { t?: string })?.t === 'parted') return parted?.();
  if ((message as { t?: string })?.t === 'stop') return stopOutput();
  const start = message as StartMsg;
  if (started || start?.t !== 'start') return;
  started = true;
  void run(start);
}

/** How long an exiting child waits for its parent to take in the handles it sent. */
const PARTING_MS = 5000;

/** Waits (within PARTING_MS) until the parent has taken in every output sent, when they carried handles. */
function partWithParent(): Promise<void> {
  if (!handedOut) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, PARTING_MS);
    parted = () => {
      clearTimeout(timer);
      resolve();
    };
    control.send({ t: 'parting' });
  });
}

if (isMainThread) process.on('message', onStart);
else parentPort?.on('message', onStart);

// A forked child ends with its parent (see `parent-death`). Its threads and the
// sockets of its peers may still hear of it first: what the parent held of shared
// locks and semaphores comes back, and waits on them end.
const parentPid = process.ppid;
dieWithParent(() => ownersGone(ofProcess(parentPid)));

async function run(start: StartMsg): Promise<void> {
  const thread = isMainThread ? undefined : (workerData as ThreadData);
  const runtime = Runtime.install(new Runtime({ ...(thread ? { id: thread.runtimeId } : {}), authkey: start.authkey }));
  runtime.hub.onListening = (dir) => control.send({ t: 'listening', dir });
  if (thread) runtime.hub.adopt(new PortLink(thread.port), start.parentId);
  if (isMainThread) process.title = start.name;

  let failure: unknown;
  let failed = false;
  try {
    const args = importValue(start.args, runtime) as unknown[];
    const module = await importTarget(start.target);
    const target = module[start.exportName];
    if (typeof target !== 'function') {
      throw new TypeError(`${start.target} has no function export ${JSON.stringify(start.exportName)}`);
    }
    const result: unknown = await target(...args);
    if (isObservableLike(result)) await stream(result, runtime);
    else await sendResult(result, runtime);
  } catch (error) {
    failed = true;
    failure = error;
  }
  // A failed target ends the child at once, as an uncaught error ends a Node program.
  if (!failed) await untilIdle();
  if (crashed) return; // an uncaught exception while the user's work went on: its handler exits
  await flush();
  if (failed) control.send({ t: 'failed', error: encodeError(failure) });
  await partWithParent();
  await control.done();
  process.exit(failed ? 1 : 0);
}

/** Sends back what a target returned (`result` in the parent); one that cannot be copied is said so, the child still succeeds. */
async function sendResult(value: unknown, runtime: Runtime): Promise<void> {
  if (value === undefined) return;
  try {
    const transfer = await exportValue(value, runtime, isMainThread ? 'process' : 'thread');
    if (isMainThread && transfer.handles.length > 0) handedOut = true;
    control.send({ t: 'result', value: transfer });
  } catch (error) {
    control.send({ t: 'result', error: encodeError(error) });
  }
}

/** Set while the target's Observable streams: unsubscribes it (the parent's output$ lost its last subscriber). */
let stopStream: (() => void) | undefined;
let stopRequested = false;

function stopOutput(): void {
  stopRequested = true;
  stopStream?.();
}

/** Sends each notification to the parent, values with their handles described, in order. */
function stream(source: ObservableLike, runtime: Runtime): Promise<void> {
  // Nobody listens any more: not even subscribed.
  if (stopRequested) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let chain: Promise<void> = Promise.resolve();
    let stopped = false;
    let subscription: unknown;
    stopStream = () => {
      if (stopped) return;
      stopped = true;
      stopStream = undefined;
      unsubscribe(subscription);
      chain.then(resolve, reject);
    };
    subscription = source.subscribe({
      next: (value) => {
        if (stopped) return;
        // Checked and taken out at once, in order; described as soon as it can be.
        let transfer: Promise<Transfer>;
        try {
          transfer = exportValue(value, runtime, isMainThread ? 'process' : 'thread');
        } catch (error) {
          transfer = Promise.reject(error);
        }
        transfer.catch(() => undefined); // fails the chain below when its turn comes, not before
        chain = chain.then(async () => {
          const value = await transfer;
          if (isMainThread && value.handles.length > 0) handedOut = true;
          control.send({ t: 'output', kind: 'N', value });
        });
      },
      error: (error) => {
        if (stopped) return;
        stopStream = undefined;
        chain = chain.then(() => control.send({ t: 'output', kind: 'E', error: encodeError(error) }));
        chain.then(() => reject(error), reject);
      },
      complete: () => {
        if (stopped) return;
        stopStream = undefined;
        chain = chain.then(() => control.send({ t: 'output', kind: 'C' }));
        chain.then(resolve, reject);
      },
    });
  });
}

function unsubscribe(subscription: unknown): void {
  const s = subscription as { unsubscribe?: unknown } | null | undefined;
  if (s && typeof s.unsubscribe === 'function') s.unsubscribe();
}

/**
 * Everything this child put is in its queues (or their owners are gone),
 * every pipe end it holds has sent what it was given and then its end of
 * stream, and every link is written out and hung up.
 */
async function flush(): Promise<void> {
  const runtime = Runtime.get();
  await Promise.all([
    ...[...runtime.queueClient.revived()].map((q) => q.close().catch(() => undefined)),
    ...runtime.pipeHost.hosted().map((end) => end.close().catch(() => undefined)),
    ...revivedModuleHandles().map((h) => h.close().catch(() => undefined)),
  ]);
  await runtime.hub.drainLinks();
  await runtime.hub.hangUp(HANG_UP_MS);
}

/** How long an exiting child waits for its peers to read what it sent and hang up. */
const HANG_UP_MS = 1000;

function isObservableLike(value: unknown): value is ObservableLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as ObservableLike).subscribe === 'function' &&
    typeof (value as PromiseLike<unknown>).then !== 'function' &&
    // A returned queue or pipe end is a handle handed back (`result`), though it is also an Observable.
    !isHandle(value)
  );
}

/** How long a crashing child spends handing over what it already sent before it exits anyway. */
const CRASH_FLUSH_MS = 2000;
let crashed = false;

// An uncaught exception still exits 1, but only after what the child's puts and
// sends already accepted is on its way: a resolved put is never lost to a crash.
process.on('uncaughtException', (error) => {
  if (crashed) return;
  crashed = true;
  control.send({ t: 'failed', error: encodeError(error) });
  const limit = new Promise<void>((resolve) => setTimeout(resolve, CRASH_FLUSH_MS));
  void Promise.race([flush().catch(() => undefined), limit])
    .then(() => control.done())
    .then(() => process.exit(1));
});
