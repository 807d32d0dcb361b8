import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { BrokenBarrierError } from '../errors.js';
import { type HandleKind, markHandle } from '../handle/handle-kinds.js';
import { checkOptions, checkScheduler, checkTimeout, checkWaitOptions, quote, type WaitOptions } from '../handle/options.js';
import { once, remember } from '../transport/shm/identity.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { SHARED_BARRIER_BYTES, SharedBarrier } from '../transport/shm/shared-barrier.js';

/** Options for `new Barrier()`. */
export interface BarrierOptions {
  /**
   * Called once per generation, when the last party arrives and before any
   * is let go, in the thread that made the barrier (a function cannot
   * travel). If it throws, the barrier breaks.
   */
  action?: () => void;
  /** The default `timeout` of `wait()`, in ms. */
  timeout?: number;
  /** Where `wait` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

interface BarrierPlace {
  mapping: Mapping;
  offset: number;
}

const kPlace = Symbol('rxmp.barrier.place');
let placing: BarrierPlace | undefined;

/**
 * A barrier for a fixed number of parties, shared by threads and processes
 * (Python's `multiprocessing.Barrier`): each `wait()` resolves once
 * `parties` waits have arrived, with its arrival index (0 … parties - 1).
 * It is reusable: the next `parties` waits make the next generation.
 *
 * It breaks — every wait in it rejects with `BrokenBarrierError`, and new
 * ones at once until `reset()` — when it is `abort()`ed, when a wait times
 * out or is aborted, when its action throws, and when a process or thread
 * waiting in it dies.
 *
 * @example
 * const start = new Barrier(3);
 * // in each of 3 workers:
 * const index = await start.wait({ timeout: 5000 });
 */
export class Barrier {
  /** @internal */
  readonly [kPlace]: BarrierPlace;
  private readonly shared: SharedBarrier;
  private readonly scheduler: SchedulerLike;
  private readonly defaultTimeout: number | undefined;
  /** What the action threw the last time it ran here, and whether a wait here made it run. */
  private actionError: { error: unknown } | undefined;
  private runningForWait = false;

  constructor(parties: number, options?: BarrierOptions) {
    const o = checkOptions<BarrierOptions>(options ?? {}, 'Barrier options', ['action', 'timeout', 'scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    this.defaultTimeout = checkTimeout(o.timeout);
    if (o.action !== undefined && typeof o.action !== 'function') throw new TypeError(`action must be a function, got ${quote(o.action)}`);
    const revived = placing;
    placing = undefined;
    if (!revived) checkParties(parties);
    this[kPlace] = revived ?? { mapping: Mapping.anonymous(SHARED_BARRIER_BYTES), offset: 0 };
    const { mapping, offset } = this[kPlace];
    const action = o.action;
    this.shared = new SharedBarrier(mapping.buffer, offset, action && (() => this.run(action)));
    if (!revived) this.shared.init(parties, action !== undefined);
    remember(barrierKey(this[kPlace]), this);
  }

  /** How many parties must arrive for the barrier to open. */
  get parties(): number {
    return this.shared.parties;
  }

  /** Parties waiting in the current generation. */
  get nWaiting(): number {
    return this.shared.waiting;
  }

  /** Whether the barrier is broken (`abort()`, a timeout, a party that died): waits reject `BrokenBarrierError` until `reset()`. */
  get broken(): boolean {
    return this.shared.broken;
  }

  /**
   * Arrives, and resolves the arrival index once every party has. Rejects
   * with `BrokenBarrierError` if the barrier is or becomes broken; a
   * `timeout` (default: the barrier's) that passes first breaks it, as
   * Python's; an aborted signal breaks it and rejects with its reason.
   */
  wait(options?: WaitOptions): Promise<number> {
    let timeout: number | undefined;
    let signal: AbortSignal | undefined;
    try {
      ({ timeout, signal } = checkWaitOptions(options));
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const arrival = this.shared.arrive();
    switch (arrival.kind) {
      case 'broken':
        return Promise.reject(new BrokenBarrierError());
      case 'full':
        return Promise.reject(new RangeError('too many threads waiting in one barrier (32 at most)'));
      case 'passed':
        return Promise.resolve(arrival.index);
      case 'action': {
        this.actionError = undefined;
        this.runningForWait = true;
        try {
          this.shared.runPendingActions();
        } finally {
          this.runningForWait = false;
        }
        const failed = this.actionError as { error: unknown } | undefined;
        if (this.shared.outcome(arrival.gen) === 'passed') return Promise.resolve(arrival.index);
        return Promise.reject(failed ? failed.error : new BrokenBarrierError());
      }
    }
    const { gen, index } = arrival;
    timeout ??= this.defaultTimeout;
    return new Promise<number>((resolve, reject) => {
      let timer: Subscription | undefined;
      let settled = false;
      let stopWaiting = (): void => {};
      const stop = (): void => {
        settled = true;
        stopWaiting();
        timer?.unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        stop();
        this.shared.breakNow();
        reject(signal?.reason);
      };
      // The generation may end at once (the others came meanwhile): then this settles before `await` returns.
      stopWaiting = this.shared.await(gen, (outcome) => {
        stop();
        if (outcome === 'passed') resolve(index);
        else reject(new BrokenBarrierError());
      });
      if (settled) return;
      if (timeout !== undefined) {
        timer = this.scheduler.schedule(() => {
          stop();
          this.shared.breakNow();
          reject(new BrokenBarrierError(`a wait timed out after ${timeout} ms, and broke the barrier`));
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Emits the arrival index once every party has arrived, and completes;
   * errors with `BrokenBarrierError`. Unsubscribing before then leaves the
   * barrier, which breaks it (as a timed-out wait does).
   */
  wait$(options?: Omit<WaitOptions, 'signal'>): Observable<number> {
    return new Observable<number>((subscriber) => {
      const abort = new AbortController();
      let settled = false;
      this.wait({ ...options, signal: abort.signal }).then(
        (index) => {
          settled = true;
          subscriber.next(index);
          subscriber.complete();
        },
        (error) => {
          settled = true;
          subscriber.error(error);
        },
      );
      return () => {
        if (!settled) abort.abort(new BrokenBarrierError('a wait$ was unsubscribed, and broke the barrier'));
      };
    });
  }

  /** Breaks the barrier: every wait in it, and every new one until `reset()`, rejects with `BrokenBarrierError`. */
  abort(): void {
    this.shared.breakNow();
  }

  /** Back to its fresh state; waits in the current generation reject with `BrokenBarrierError`. */
  reset(): void {
    this.shared.reset();
  }

  /** Runs the action here; `true` if it returned. */
  private run(action: () => void): boolean {
    try {
      action();
      return true;
    } catch (error) {
      this.actionError = { error };
      // Its waiters elsewhere learn only that the barrier broke: say why here.
      if (!this.runningForWait) {
        process.emitWarning(`a Barrier's action threw, and broke the barrier: ${String((error as Error)?.stack ?? error)}`, {
          type: 'RxmpWarning',
          code: 'RXMP_BARRIER_ACTION_FAILED',
        });
      }
      return false;
    }
  }
}

markHandle(Barrier, 'barrier');

function checkParties(parties: unknown): void {
  if (typeof parties !== 'number') throw new TypeError(`parties must be a number, got ${quote(parties)}`);
  if (!Number.isSafeInteger(parties) || parties < 1) throw new RangeError(`parties must be a whole number ≥ 1, got ${quote(parties)}`);
}

function barrierKey(place: BarrierPlace): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `barrier:${key}:${place.offset}`;
}

export interface BarrierDescriptor {
  memory: MemoryDescriptor;
  offset: number;
}

/** How a Barrier travels: as where its words are (its action stays with its maker). */
export const barrierKind: HandleKind<Barrier, BarrierDescriptor> = {
  name: 'barrier',
  check: (b, crossing) => b[kPlace].mapping.check(crossing, 'a Barrier'),
  export: (b, _runtime, crossing) => ({ memory: b[kPlace].mapping.describe(crossing), offset: b[kPlace].offset }),
  revive(d) {
    const place = { mapping: Mapping.revive(d.memory), offset: d.offset };
    return once(barrierKey(place), () => {
      placing = place;
      try {
        return new Barrier(0);
      } finally {
        placing = undefined;
      }
    });
  },
};
