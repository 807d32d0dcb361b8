import { inspect, type InspectOptionsStylized } from 'node:util';
import { markHandle } from './handle/handle-kinds.js';
import { showHandle } from './handle/inspect.js';
import {
  asyncScheduler,
  Observable,
  observable,
  type Observer,
  type Operator,
  type OperatorFunction,
  type Subscribable,
  type Subscription,
} from 'rxjs';
import { NOTHING } from './core/queue/bounded-fifo.js';
import { ClosedError } from './errors.js';
import { finishingGet, finishingPut, NOT_NOW, PendingCalls, type PromisedCall } from './handle/pending-calls.js';
import {
  checkCount,
  checkMaxsize,
  checkOptions,
  checkScheduler,
  checkTimeout,
  checkWait,
  DEFAULT_PREFETCH,
  type GetOptions,
  type ObserveOptions,
  type PutOptions,
  type QueueOptions,
  type Wait,
} from './handle/options.js';
import { pullIterator, pullStream } from './handle/pull-stream.js';
import { QueueObserver } from './handle/queue-observer.js';
import { LocalQueueEndpoint } from './transport/queue/owner/local-queue-endpoint.js';
import type { QueueEndpoint } from './transport/queue/queue-endpoint.js';
import type { Cancel, Delivery, GetListener, PutListener } from './core/listeners.js';

/**
 * Takes one item (see `Take`); `returnable`: the taker may put the item back
 * (`kRequeue`) until it settles it (`kSettle`, or `kTaskDone` for a
 * JoinableQueue), as `consume` does.
 */
export type QueueTake<T> = (listener: GetListener<T>, timeout: number | undefined, returnable?: boolean) => Cancel | undefined;

/** Internal hooks the rx operators and handle passing use; not part of the public API. */
export const kTake = Symbol('rxmp.take');
export const kRequeue = Symbol('rxmp.requeue');
export const kTaskDone = Symbol('rxmp.taskDone');
export const kEndpoint = Symbol('rxmp.endpoint');
export const kAttach = Symbol('rxmp.attach');
export const kSettle = Symbol('rxmp.settle');
export const kAttempts = Symbol('rxmp.attempts');
export const kFacts = Symbol('rxmp.facts');
export const kEndWith = Symbol('rxmp.endWith');
export const kEndError = Symbol('rxmp.endError');

/**
 * A FIFO queue shared between producers and consumers (Python's
 * `multiprocessing.Queue`). Values are copied at `put`; a bounded queue makes
 * producers wait for space — backpressure.
 *
 * It is also an RxJS Subject: an Observer (`source.subscribe(q)` puts each
 * value, `complete()` ends the queue, `error(e)` ends it on `e`) and an
 * Observable of its items (`q.pipe(...)`, `from(q)`), each subscriber a
 * competing consumer as `observe()`.
 *
 * @example
 * const q = new Queue<number>({ maxsize: 100 });
 * await q.put(1);
 * await q.get(); // 1
 * range(0, 1000).subscribe(q); // puts 0…999, then ends the queue
 */
export class Queue<T> implements Observer<T>, Subscribable<T>, AsyncIterable<T> {
  /** @internal */
  protected readonly endpoint: QueueEndpoint<T>;
  /** @internal The calls this handle has waiting. */
  protected readonly calls = new PendingCalls('queue');

  /**
   * A new queue, owned by this runtime. `maxsize` bounds the items held
   * (default unbounded; a put waits for room); `scheduler` runs its timeouts
   * (default `asyncScheduler`; a `TestScheduler` makes them virtual).
   */
  constructor(options?: QueueOptions);
  /** @internal A handle on a queue carried by `endpoint` (owned elsewhere, or on a server). */
  constructor(options: QueueOptions | undefined, endpoint: QueueEndpoint<T>);
  constructor(options?: QueueOptions, endpoint?: QueueEndpoint<T>) {
    if (endpoint) {
      this.endpoint = endpoint;
      return;
    }
    const o = checkOptions<QueueOptions>(options, 'Queue options', ['maxsize', 'scheduler']);
    const maxsize = checkMaxsize(o.maxsize);
    const scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    this.endpoint = new LocalQueueEndpoint<T>(maxsize, scheduler, this.isJoinable());
  }

  /** @internal */
  get [kEndpoint](): QueueEndpoint<T> {
    return this.endpoint;
  }

  /** @internal Whether this class tracks tasks. */
  protected isJoinable(): boolean {
    return false;
  }

  /** The bound on items held (`Infinity` when unbounded). */
  get maxsize(): number {
    return this.endpoint.maxsize;
  }

  /** Puts a copy of `item`, waiting for space in a bounded queue. Rejects `Full` on timeout. */
  put(item: T, options?: PutOptions): Promise<void> {
    let wait: Wait;
    try {
      wait = checkWait(options, 'put options');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.calls.promise(this.putCall, item, wait);
  }

  /** `put(item, { block: false })`: rejects `Full` at once when there is no space. */
  putNowait(item: T): Promise<void> {
    return this.put(item, { block: false });
  }

  /**
   * Takes the oldest item. Rejects `Empty` on timeout, and `ClosedError` once
   * the queue has ended and is drained (the error it ended on, if `q.error(e)`
   * ended it), or when this handle is closed.
   */
  get(options?: GetOptions): Promise<T> {
    let wait: Wait;
    try {
      wait = checkWait(options, 'get options');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.calls.promise(this.getCall, undefined, wait);
  }

  /** `get({ block: false })`: rejects `Empty` at once when there is no item. */
  getNowait(): Promise<T> {
    return this.get({ block: false });
  }

  /**
   * Items accepted and not yet handed to an application: queued, or fetched
   * ahead by a consumer (a snapshot: other handles may change it at once).
   * Rejects `ClosedError` once this handle is closed.
   */
  qsize(): Promise<number> {
    if (this.calls.closed) return Promise.reject(this.calls.closedError());
    return this.endpoint.qsize();
  }

  /** `qsize() === 0`. Rejects `ClosedError` once this handle is closed. */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  /**
   * Whether a `putNowait` through this handle would reject `Full` now: no
   * slot is free (slots hold queued items, items fetched ahead by consumers,
   * and slots reserved by other handles' credits) and this handle holds no
   * credit of its own, or earlier puts already wait for space. A snapshot,
   * like `qsize`. Rejects `ClosedError` once this handle is closed.
   */
  full(): Promise<boolean> {
    if (this.calls.closed) return Promise.reject(this.calls.closedError());
    return this.endpoint.full();
  }

  /**
   * This handle puts and gets no more: later calls reject `ClosedError`; its
   * waiting puts and gets are withdrawn (nothing enqueued, nothing taken) and
   * reject `ClosedError`; its `observe()` streams complete. Resolves once
   * every put it had accepted has reached the queue, so it never hangs on a
   * full queue. Other handles are not affected. Calling it again is harmless.
   */
  close(): Promise<void> {
    if (!this.calls.closed) {
      this.calls.close();
      this.closing = this.endpoint.close();
    }
    return this.closing as Promise<void>;
  }

  private closing: Promise<void> | undefined;

  /** True once `close()` has been called on this handle. */
  get closed(): boolean {
    return this.calls.closed;
  }

  /**
   * Ends the stream for everyone: later puts reject `ClosedError` (waiting
   * ones too), every `observe()` completes once the queue is drained, and
   * `get()` then rejects `ClosedError`.
   */
  end(): Promise<void> {
    return this[kEndWith](undefined).then(() => undefined);
  }

  /** @hidden The error the queue ended on, once this handle knows (consume finishes its runs, then errors with it). */
  get [kEndError](): Error | undefined {
    return this.endpoint.endError;
  }

  /** @internal Ends the queue on `error` (consumers error with it once drained); `true` if this call ended it. */
  [kEndWith](error: Error | undefined): Promise<boolean> {
    if (this.calls.closed) return Promise.reject(this.calls.closedError());
    return this.endpoint.end(error);
  }

  // ---- RxJS Observer: a queue can be subscribed to a source (see queue-observer.ts) ----

  private face: QueueObserver<T> | undefined;

  private get observer(): QueueObserver<T> {
    this.face ??= new QueueObserver<T>({
      put: (item, listener) => this.startPut(item, undefined, undefined, listener),
      end: (error) => this[kEndWith](error),
    });
    return this.face;
  }

  /**
   * Puts a copy of `value` after the values given before it, waiting for
   * space as `put` does; values wait in this handle meanwhile (never beyond
   * `maxsize` in the queue). A put that fails stops this Observer and ends
   * the queue on that error (see `QueueObserver`); nothing is thrown here.
   */
  next(value: T): void {
    this.observer.next(value);
  }

  /** Ends the queue (as `end()`) once every value given to `next` is in. */
  complete(): void {
    this.observer.complete();
  }

  /**
   * Ends the queue once every value given to `next` is in, on `error`:
   * consumers drain it and then error with `error` (a copy, in another
   * process; a value that is not an Error is wrapped in one).
   */
  error(error: unknown): void {
    this.observer.error(error);
  }

  // ---- RxJS Observable: the queue's items, to competing consumers ----

  /** `observe().subscribe(observer)`: a competing consumer with the default prefetch. */
  subscribe(observer?: Partial<Observer<T>> | ((value: T) => void)): Subscription {
    return this.observe().subscribe(observer);
  }

  /** `observe()`, as RxJS's `Subject.asObservable()`. */
  asObservable(): Observable<T> {
    return this.observe();
  }

  /** `observe().pipe(...)`. */
  readonly pipe: Observable<T>['pipe'] = ((...operations: OperatorFunction<unknown, unknown>[]) =>
    (this.observe() as Observable<unknown>).pipe(...(operations as []))) as Observable<T>['pipe'];

  /** @deprecated As RxJS's own `lift`: what makes `isObservable(q)` true. Use `pipe`. */
  lift<R>(operator?: Operator<T, R>): Observable<R> {
    return this.observe().lift(operator);
  }

  /** Cold: puts on subscribe, completes (without a value) when accepted, errors `Full`. */
  put$(item: T, options?: PutOptions): Observable<never> {
    const { timeout, signal } = checkWait(options, 'put$ options');
    return new Observable<never>((subscriber) => {
      const cancel = this.startPut(item, timeout, signal, {
        accepted: () => subscriber.complete(),
        failed: (error) => subscriber.error(error),
      });
      return () => {
        cancel?.();
      };
    });
  }

  /** Cold: takes one item on subscribe, emits it and completes; errors `Empty`. */
  get$(options?: GetOptions): Observable<T> {
    const { timeout, signal } = checkWait(options, 'get$ options');
    return new Observable<T>((subscriber) => {
      const cancel = this.startGet(
        timeout,
        signal,
        {
          delivered: (item) => {
            subscriber.next(item);
            subscriber.complete();
          },
          failed: (error) => subscriber.error(error),
          ended: () => subscriber.error(endedError()),
        },
        () => subscriber.error(this.calls.closedError()),
      );
      return () => {
        cancel?.();
      };
    });
  }

  /**
   * A competing consumer: each item goes to exactly one subscriber. Completes
   * when the queue has ended and is drained, or this handle closes; errors
   * `Empty` if `timeout` passes with no item, and, once drained, with the
   * error the queue ended on (`q.error(e)`). Unsubscribing takes nothing more.
   */
  observe(options?: ObserveOptions): Observable<T> {
    const o = checkOptions<ObserveOptions>(options, 'observe options', ['prefetch', 'timeout']);
    const prefetch = checkCount(o.prefetch, 'prefetch', DEFAULT_PREFETCH);
    const timeout = checkTimeout(o.timeout);
    return pullStream(
      (listener, wait) => this.startGet(wait, undefined, listener, () => listener.ended(), prefetch),
      timeout,
      () => this.endpoint.attach(prefetch),
    );
  }

  /** Ends like `observe()`. Takes one item per `next()`: breaking out of the loop takes nothing more. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return pullIterator(this[kTake], () => this.endpoint.attach(DEFAULT_PREFETCH));
  }

  /** @hidden A consumer that keeps taking, with its window (see QueueEndpoint.attach). The rx layer's protocol, hidden from the API docs but kept in the .d.ts: `Consumable` names it. */
  [kAttach](prefetch: number): () => void {
    return this.endpoint.attach(prefetch);
  }

  /** @hidden Takes one item for the rx layer, with this handle's bookkeeping (see `QueueTake`). */
  readonly [kTake]: QueueTake<T> = (listener, timeout, returnable) =>
    this.startGet(timeout, undefined, listener, () => listener.ended(), undefined, returnable);

  /**
   * @hidden Returns items this handle took (returnable) but did not consume
   * to the front of the queue; `failed`: the tag whose attempt failed.
   */
  [kRequeue](deliveries: readonly Delivery<T>[], failed?: number): void {
    this.endpoint.requeue(deliveries, failed);
  }

  /** @hidden Unfinished attempts a returnable delivery had been through before it came (see `QueueEndpoint.attempts`). */
  [kAttempts](tag: number): number {
    return this.endpoint.attempts(tag);
  }

  /** @hidden A returnable delivery of a plain queue is final: it will not be put back. */
  [kSettle](tag: number): void {
    this.endpoint.settle(tag);
  }

  /** @internal Marks one delivery done (JoinableQueue). */
  [kTaskDone](tag: number): void {
    this.endpoint.taskDone(tag);
  }

  /**
   * What a user wants to see of a queue: `Queue { maxsize: 10, owner: 'this
   * process', closed: false }` (`owner`: this process, or the pid, and
   * thread, of the one that owns it); a JoinableQueue owned here adds
   * `unfinished`.
   */
  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return showHandle(this.constructor.name, this[kFacts](), options);
  }

  toString(): string {
    return showHandle(this.constructor.name, this[kFacts]());
  }

  /** @internal The facts `inspect` shows (SimpleQueue shows them too, without maxsize). */
  [kFacts](): { maxsize: number; owner: string; unfinished?: number; closed: boolean } {
    const endpoint = this.endpoint;
    const local = endpoint instanceof LocalQueueEndpoint;
    const remote = endpoint as unknown as { where?: string; owner: { id: string } };
    const owner = local ? 'this process' : (remote.where ?? `runtime ${remote.owner.id}`);
    return local && endpoint.joinable
      ? { maxsize: this.maxsize, owner, unfinished: endpoint.ledger.unfinished, closed: this.closed }
      : { maxsize: this.maxsize, owner, closed: this.closed };
  }

  private startPut(item: T, timeout: number | undefined, signal: AbortSignal | undefined, listener: PutListener): Cancel | undefined {
    return this.calls.run<void>({
      signal,
      fast: () => this.tryPut(item),
      start: (finish) => this.endpoint.put(item, finishingPut(finish, listener), timeout),
      settled: () => listener.accepted(),
      failed: (error) => listener.failed(error),
      closed: () => listener.failed(this.calls.closedError()),
    });
  }

  /** @internal `onClose` tells the caller that this handle is (or became) closed while it waited. */
  protected startGet(
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    listener: GetListener<T>,
    onClose: () => void,
    prefetch?: number,
    returnable?: boolean,
  ): Cancel | undefined {
    return this.calls.run<T>({
      signal,
      fast: () => this.tryGet(returnable),
      start: (finish) => this.endpoint.get(finishingGet(finish, listener, this.endpoint), timeout, prefetch, returnable),
      settled: (item) => listener.delivered(item, this.endpoint.lastTag),
      failed: (error) => listener.failed(error),
      closed: onClose,
    });
  }

  private readonly putCall: PromisedCall<T, void> = {
    fast: (item) => this.tryPut(item),
    start: (item, timeout, finish, resolve, reject) =>
      this.endpoint.put(item, finishingPut(finish, { accepted: resolve, failed: reject }), timeout),
    closes: true,
  };

  private readonly getCall: PromisedCall<undefined, T> = {
    fast: () => this.tryGet(),
    start: (_, timeout, finish, resolve, reject) =>
      this.endpoint.get(
        finishingGet(finish, { delivered: resolve, failed: reject, ended: () => reject(endedError()) }, this.endpoint),
        timeout,
      ),
    closes: true,
  };

  /** The fast path of a put: accepted now, or `NOT_NOW` with nothing done. */
  private tryPut(item: T): undefined | typeof NOT_NOW {
    return this.endpoint.tryPut(item) ? undefined : NOT_NOW;
  }

  /** The fast path of a get: an item on hand now (its tag is `endpoint.lastTag`), or `NOT_NOW`. */
  private tryGet(returnable?: boolean): T | typeof NOT_NOW {
    const item = this.endpoint.tryGet(returnable);
    return item === NOTHING ? NOT_NOW : item;
  }
}

function endedError(): ClosedError {
  return new ClosedError('queue', 'queue has ended and is drained');
}

// `from(q)` and other interop consumers look for the observable symbol.
Object.defineProperty(Queue.prototype, observable, {
  value(this: Queue<unknown>): Subscribable<unknown> {
    return this;
  },
  configurable: true,
  writable: true,
});

// Travels in Process args and output$ as a handle (see queue-kind.ts).
markHandle(Queue, 'queue');
