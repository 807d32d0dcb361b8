import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname } from 'node:path';
import { inspect } from 'node:util';
import type { Worker } from 'node:worker_threads';
import type { Observable } from 'rxjs';
import { CHANNELS, publish } from '../diagnostics.js';
import type { ProcessError } from '../errors.js';
import { checkTimeout } from '../handle/options.js';
import { Runtime } from '../transport/runtime.js';
import { ofProcess, ofThreads, ownersGone } from '../transport/shm/owners.js';
import { bellsGoneWith, releaseBells } from '../transport/shm/thread-bells.js';
import { Tree } from '../transport/shm/tree.js';
import { PortLink } from '../transport/link/port-link.js';
import type { ErrorInfo } from '../wire/error-codec.js';
import { ChildOutcome } from './child-outcome.js';
import type { ChildMsg, StartMsg } from './control.js';
import { exportValue, loseTransfer, type Transfer } from './handle-passing.js';
import { checkProcessOptions, type ProcessOptions } from './process-options.js';
import { type ChildEvents, checkBootstrap, spawnFork, spawnThread } from './spawn.js';
import type { OutputOf, ResultOf, Target, UntypedTarget } from './target-types.js';

export type { ProcessBaseOptions, ProcessOptions } from './process-options.js';

/**
 * A child running a module's export (Python's `multiprocessing.Process`),
 * forked or in a worker thread. Queues and pipe ends in `args` reach it as
 * working handles; an Observable it returns is streamed back as `output$`,
 * any other return value comes back as `result`.
 *
 * Typed by the target's signature, `new Process<typeof worker>({ … })`
 * checks `args` and types `output$` and `result`; untyped, they are `unknown`.
 *
 * A failure is never silent: it is `p.error`, `result` rejects with it, and
 * one the user did not handle is reported on stderr (see `FailureWatch` for
 * the rule). The child exits once its target has settled and its event
 * loop has nothing of the user's left (see `child-exit.ts`).
 *
 * @example
 * import type worker from './worker.js';
 * const p = new Process<typeof worker>({ target: new URL('./worker.js', import.meta.url), args: [jobs, results] }).start();
 * await p.join();
 */
export class Process<F extends Target = UntypedTarget> {
  /** Its name (`name` option, or `Process-N`): in errors, reports and as a forked child's process title. */
  readonly name: string;
  private readonly target: URL;
  private readonly exportName: string;
  private readonly args: unknown[];
  private readonly kind: 'fork' | 'thread';
  private readonly env: Record<string, string> | undefined;
  private readonly execArgv: string[] | undefined;
  private child: ChildProcess | undefined;
  private worker: Worker | undefined;
  private exit: { code: number; signal: NodeJS.Signals | null } | undefined;
  private readonly exitWaiters: (() => void)[] = [];
  private childError: ErrorInfo | undefined;
  /** A thread child's runtime id (a forked child's runtimes all start with its pid). */
  private runtimeId: string | undefined;
  private readonly outcome: ChildOutcome<OutputOf<F>, ResultOf<F>>;

  constructor(options: ProcessOptions<F>) {
    const o = checkProcessOptions(options);
    this.target = o.target;
    this.exportName = o.exportName;
    this.args = o.args;
    this.kind = o.kind;
    this.name = o.name;
    this.outcome = new ChildOutcome(this.name, () => this.stopOutput());
    this.env = o.env;
    this.execArgv = o.execArgv;
  }

  /**
   * Starts the child. Arguments that cannot be copied throw
   * `SerializationError` here, before anything starts. Calling it twice throws.
   */
  start(): this {
    if (this.child || this.worker) throw new Error(`process ${this.name} was already started`);
    checkBootstrap();
    const runtime = Runtime.get();
    // Every argument is checked before anything moves or starts: a bad one throws here.
    const transfer = exportValue(this.args, runtime, this.kind === 'fork' ? 'process' : 'thread');
    const events: ChildEvents = {
      message: (message) => this.fromChild(message),
      error: (error) => (this.childError ??= { name: error.name, message: error.message, stack: error.stack }),
      exit: (code, signal) => this.exited(code, signal),
    };
    const spawning = { name: this.name, env: this.env, execArgv: this.execArgv };
    if (this.kind === 'fork') this.child = spawnFork(spawning, events);
    else {
      const thread = spawnThread(spawning, events);
      this.runtimeId = thread.runtimeId;
      this.workerBell = thread.bell;
      this.bellClaimed = thread.bellClaimed;
      runtime.hub.adopt(new PortLink(thread.port), thread.runtimeId);
      this.worker = thread.worker;
    }
    // A Worker's own threadId turns -1 once it exits; the process keeps saying which thread it was.
    this.startedThreadId = this.worker?.threadId;
    publish(CHANNELS.processStart, () => this.identity());
    void this.sendStart(runtime, transfer);
    return this;
  }

  /**
   * Resolves with the exit code once the child exits, or `null` if it is
   * still running after `timeout` ms. Calling it handles a failure: it is
   * then not reported on stderr (`p.error` holds it).
   */
  join(timeout?: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const wait = checkTimeout(timeout, 'join timeout');
      if (!this.child && !this.worker) return reject(new Error(`process ${this.name} was not started`));
      this.outcome.joined();
      if (this.exit) return resolve(this.exit.code);
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve(this.exitCode);
      };
      this.exitWaiters.push(done);
      if (wait !== undefined && wait !== Infinity) {
        timer = setTimeout(() => {
          const i = this.exitWaiters.indexOf(done);
          if (i >= 0) this.exitWaiters.splice(i, 1);
          resolve(null);
        }, wait);
      }
    });
  }

  /** `null` while running; the exit code after, or minus the signal number when a signal ended it (as Python). */
  get exitCode(): number | null {
    return this.exit ? this.exit.code : null;
  }

  /** The forked child's pid (`undefined` for a thread, or before `start`). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The worker's thread id (`undefined` for a forked child), still known after it exits. */
  get threadId(): number | undefined {
    return this.startedThreadId;
  }

  private startedThreadId: number | undefined;

  /** Started and not exited yet (as Python's `is_alive()`). */
  isAlive(): boolean {
    return (this.child !== undefined || this.worker !== undefined) && !this.exiting;
  }

  /** Asks the child to stop: SIGTERM for a forked child; a thread is terminated. Its end, asked for, is not reported on stderr. */
  terminate(): void {
    this.askedToStop = true;
    this.stop('SIGTERM');
  }

  /** Stops the child at once: SIGKILL for a forked child; a thread is terminated. Its end, asked for, is not reported on stderr. */
  kill(): void {
    this.askedToStop = true;
    this.stop('SIGKILL');
  }

  private askedToStop = false;

  private stop(signal: NodeJS.Signals): void {
    if (this.child) this.child.kill(signal);
    else this.stopThread();
  }

  /**
   * The child's failure once it exited with a non-zero code (or a signal):
   * a `ProcessError` whose `stack` shows the child's frames and whose
   * `cause` is the child's own error. Reading it handles a failure, even a
   * read before the exit (the caller looks at it, as a supervisor polling
   * `isAlive()` does).
   */
  get error(): ProcessError | undefined {
    return this.outcome.error;
  }

  /**
   * Settles once the child has exited: resolves with what the target
   * returned (awaited; `undefined` for an Observable target, whose values
   * are `output$`), rejects with the `ProcessError` when the child failed,
   * or with a `SerializationError` when the returned value could not be
   * copied back (the child still exited 0). Made when first asked for, so
   * it never becomes an unhandled rejection nobody could have caught;
   * asking for it handles a failure.
   */
  get result(): Promise<ResultOf<F>> {
    return this.outcome.resultPromise();
  }

  /** A thread has no signal: one this side stopped exits with 1, even before it got going. */
  private stopThread(): void {
    if (!this.worker || this.exiting) return;
    this.stopped = true;
    void this.worker.terminate();
  }

  private stopped = false;
  /** The thread's bell number (see `thread-bells`): its owner id in shared primitives. */
  private workerBell: number | undefined;
  /** Its number came from this process's table (see `thread-bells`). */
  private bellClaimed = false;

  /**
   * The notifications of the Observable the target returned, streamed back
   * (values with their handles revived). Completes when the target's
   * Observable does, or at once for a target that returns anything else;
   * errors with the target's error, or a `ProcessError` if the child dies
   * first (an error delivered to a subscriber is handled). When its last
   * subscriber unsubscribes before the end, the child is told to stop: it
   * unsubscribes the target's Observable (its teardown and `finalize` run)
   * and exits 0 under the usual exit rule.
   */
  get output$(): Observable<OutputOf<F>> {
    return this.outcome.output.observable;
  }

  /** Nobody listens to the output any more: the child stops producing it. */
  private stopOutput(): void {
    if (this.exiting) return;
    if (this.child?.connected) this.child.send({ t: 'stop' });
    else this.worker?.postMessage({ t: 'stop' });
  }

  /** What the diagnostics messages say of this child: `{ name, kind, pid?, threadId? }`. */
  private identity(): { name: string; kind: 'fork' | 'thread'; pid?: number; threadId?: number } {
    const { name, kind, pid, threadId } = this;
    return { name, kind, ...(pid === undefined ? {} : { pid }), ...(threadId === undefined ? {} : { threadId }) };
  }

  /** `Process { name: 'worker', kind: 'fork', pid: 1234, exitCode: null }`. */
  [inspect.custom](_depth: number, options: object): string {
    const id = this.kind === 'fork' ? { pid: this.pid } : { threadId: this.threadId };
    return `Process ${inspect({ name: this.name, kind: this.kind, ...id, exitCode: this.exitCode }, { ...options, breakLength: Number.POSITIVE_INFINITY })}`;
  }

  /** `Process { name: 'worker', kind: 'fork', pid: 1234, exitCode: null }`, as `util.inspect` shows it. */
  toString(): string {
    return this[inspect.custom](0, {});
  }

  private async sendStart(runtime: Runtime, transfer: Promise<Transfer>): Promise<void> {
    let args: Transfer;
    try {
      args = await transfer;
    } catch (error) {
      this.childError = { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack };
      this.stop('SIGKILL');
      return;
    }
    const message: StartMsg = {
      t: 'start',
      target: this.target.href,
      exportName: this.exportName,
      args,
      name: this.name,
      authkey: runtime.hub.authkey,
      parentId: runtime.id,
    };
    this.sent = args;
    if (this.exiting) return this.loseSent();
    if (this.child) this.child.send(message);
    else this.worker?.postMessage(message);
  }

  private fromChild(message: ChildMsg): void {
    if (message.t === 'failed') {
      this.childError = message.error;
      return;
    }
    if (message.t === 'listening') {
      this.listenerDir = message.dir;
      return;
    }
    if (message.t === 'parting') {
      if (this.child?.connected) this.child.send({ t: 'parted' });
      return;
    }
    this.outcome.fromChild(message, Runtime.get());
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exiting) return;
    this.exiting = true;
    // What the child held of shared locks and semaphores comes back, and its waits end, before join() resolves.
    const childPid = this.child?.pid;
    const childBell = this.workerBell;
    if (childPid !== undefined) ownersGone(ofProcess(childPid));
    else if (childBell !== undefined) {
      // The threads it started died with it: what they held comes back too, and their numbers go free.
      const gone = this.bellClaimed ? bellsGoneWith(childBell) : [childBell];
      ownersGone(ofThreads(gone));
      if (this.bellClaimed) releaseBells(gone);
    }
    // The exit can be seen before the child's sockets close: wait for them, so that
    // after join() everything the child held (prefetched items, unfinished tasks) is back.
    const pid = this.child?.pid;
    const runtimeId = this.runtimeId;
    void Runtime.get()
      .hub.whenGone((peer) => (pid !== undefined ? peer.startsWith(`${pid}.`) : peer === runtimeId))
      .then(() => {
        this.removeListenerDir();
        this.loseSent();
        const stoppedThread = this.stopped && code === 0 ? 1 : code;
        const exitCode = stoppedThread ?? -(signal ? (constants.signals[signal] ?? 1) : 1);
        this.exit = { code: exitCode, signal };
        const failure = this.outcome.exited(exitCode, signal, this.childError, this.askedToStop);
        publish(CHANNELS.processExit, () => ({ ...this.identity(), exitCode, signal, ...(failure ? { error: failure } : {}) }));
        for (const waiter of this.exitWaiters.splice(0)) waiter();
      });
  }

  private exiting = false;
  /** The arguments sent to the child, once described. */
  private sent: Transfer | undefined;

  /** The child exited: what it was sent and still held is lost (a pipe end's peer sees EOF and a broken pipe). */
  private loseSent(): void {
    const sent = this.sent;
    this.sent = undefined;
    if (sent) loseTransfer(sent, Runtime.get());
  }
  /** The child's listener directory: a child killed by a signal cannot remove it itself. */
  private listenerDir: string | undefined;

  private removeListenerDir(): void {
    const dir = this.listenerDir;
    // Only ever a directory rxmp made for a listener, in the process tree's directory.
    if (dir && dirname(dir) === Tree.known()?.dir && basename(dir).startsWith('rxmp-')) rmSync(dir, { recursive: true, force: true });
  }
}
