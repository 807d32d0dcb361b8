import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { Runtime } from '../transport/runtime.js';
import { claimBell, foreignBell, releaseBells } from '../transport/shm/thread-bells.js';
import { Tree } from '../transport/shm/tree.js';
import type { ChildMsg, ThreadData } from './control.js';
import { defaultExecArgv, startWorker } from './exec-argv.js';
import { PARENT_ENV } from './parent-death.js';

/** Every child runs this module first (see `bootstrap.ts`). */
const BOOTSTRAP = new URL('./bootstrap.js', import.meta.url);

/**
 * A child starts on the bootstrap file next to this one: rxmp bundled into
 * an app's own file has none, and is told how to bundle (the error is
 * thrown by `start()`, before anything starts).
 */
export function checkBootstrap(): void {
  if (existsSync(BOOTSTRAP)) return;
  throw new Error(
    `rxmp cannot start a child: its bootstrap (${BOOTSTRAP.href}) is not there, so rxmp looks bundled into ${new URL('.', import.meta.url).href}. ` +
      "Bundle your app with rxmp external (esbuild: --external:rxmp or packages: 'external'; webpack: externals; Rollup: external), " +
      'so that rxmp runs from node_modules with its bootstrap and its native addon.',
  );
}

/** What a `Process` hears of its child. */
export interface ChildEvents {
  message(message: ChildMsg): void;
  error(error: Error): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

interface SpawnOptions {
  readonly name: string;
  readonly env: Record<string, string> | undefined;
  readonly execArgv: string[] | undefined;
}

/** A forked child on the bootstrap: it knows its tree, and which process it must not outlive (see `parent-death`). */
export function spawnFork(o: SpawnOptions, on: ChildEvents): ChildProcess {
  const child = fork(new URL(BOOTSTRAP), [], {
    serialization: 'advanced',
    env: { ...process.env, ...Tree.env(), ...o.env, [PARENT_ENV]: String(process.pid) },
    execArgv: o.execArgv ?? defaultExecArgv('fork'),
    stdio: 'inherit',
  });
  child.on('message', on.message);
  child.on('error', on.error);
  child.on('exit', on.exit);
  return child;
}

export interface SpawnedThread {
  worker: Worker;
  /** The thread's runtime id, chosen here; its link to this thread is `port`. */
  runtimeId: string;
  port: MessagePort;
  /** Its bell number (see `thread-bells`): its owner id in shared primitives. */
  bell: number;
  /** The number came from this process's table (it goes back there when the thread is gone). */
  bellClaimed: boolean;
}

/** A worker thread on the bootstrap, with a port to it and a bell number of its own. */
export function spawnThread(o: SpawnOptions, on: ChildEvents): SpawnedThread {
  const { port1, port2 } = new MessageChannel();
  const runtimeId = Runtime.newId();
  const bell = claimBell();
  const data: ThreadData = { runtimeId, port: port2, ...bell };
  let worker: Worker;
  try {
    worker = startWorker(
      BOOTSTRAP,
      { workerData: data, transferList: [port2], env: { ...process.env, ...Tree.env(), ...o.env }, name: o.name },
      o.execArgv,
    );
  } catch (error) {
    if (bell) releaseBells([bell.bell]);
    throw error;
  }
  worker.on('message', on.message);
  worker.on('error', on.error);
  worker.on('exit', (code) => on.exit(code, null));
  return { worker, runtimeId, port: port1, bell: bell?.bell ?? foreignBell(worker.threadId), bellClaimed: bell !== undefined };
}
