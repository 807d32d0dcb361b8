import { inspect, type InspectOptionsStylized } from 'node:util';
import { markHandle } from './handle/handle-kinds.js';
import { showHandle } from './handle/inspect.js';
import { type Observable, observable, type Observer, type Operator, type Subscribable, type Subscription } from 'rxjs';
import { quote } from './handle/options.js';
import { kAttach, kAttempts, kEndError, kFacts, kRequeue, kSettle, kTake, Queue, type QueueTake } from './queue.js';
import type { Delivery } from './core/listeners.js';

/** Internal: the Queue a SimpleQueue wraps. */
export const kInner = Symbol('rxmp.inner');

/**
 * An unbounded queue without timeouts (Python's `SimpleQueue`): `put`,
 * `get`, `empty`, `close`, plus `observe()` and async iteration. Values are
 * copied at `put`, exactly as in `Queue`. Like `Queue`, an RxJS Observer
 * (`source.subscribe(q)`) and an Observable of its items (`q.pipe(...)`).
 */
export class SimpleQueue<T> implements Observer<T>, Subscribable<T>, AsyncIterable<T> {
  private readonly inner: Queue<T>;

  /** A new unbounded queue, owned by this runtime. Takes no options (as Python). */
  constructor();
  /** @internal A handle on the queue `inner` (owned elsewhere). */
  constructor(inner: Queue<T>);
  constructor(inner?: Queue<T>) {
    if (inner !== undefined && !(inner instanceof Queue)) {
      throw new TypeError(`SimpleQueue() takes no options (it is always unbounded), got ${quote(inner)}`);
    }
    this.inner = inner ?? new Queue<T>();
  }

  /** @internal */
  get [kInner](): Queue<T> {
    return this.inner;
  }

  /**
   * Puts a copy of `item` (copied now, as `Queue.put`); the queue is
   * unbounded, so this never waits for space. Takes no options (as
   * Python's): passing any rejects `TypeError`. Rejects `ClosedError` once
   * this handle is closed or the queue has ended, and `SerializationError`
   * for a value that cannot be copied (a function, a socket).
   * @example await q.put({ id: 1, name: 'job' });
   */
  put(item: T, ...extra: unknown[]): Promise<void> {
    if (extra.length > 0) return Promise.reject(noOptions('put', extra));
    return this.inner.put(item);
  }

  /** Cold: puts on subscribe and completes (an unbounded queue accepts at once). For `enqueue`. */
  put$(item: T): Observable<never> {
    return this.inner.put$(item);
  }

  /** Waits for an item; rejects `ClosedError` once the queue has ended and is drained. */
  get(...extra: unknown[]): Promise<T> {
    if (extra.length > 0) return Promise.reject(noOptions('get', extra));
    return this.inner.get();
  }

  /** Rejects `ClosedError` once this handle is closed. */
  empty(): Promise<boolean> {
    return this.inner.empty();
  }

  /** This handle puts and gets no more (see `Queue.close`). */
  close(): Promise<void> {
    return this.inner.close();
  }

  /** True once `close()` has been called on this handle (see `Queue.closed`). */
  get closed(): boolean {
    return this.inner.closed;
  }

  /** Ends the stream: `observe()` and iteration complete once drained (see `Queue.end`). */
  end(): Promise<void> {
    return this.inner.end();
  }

  /** A competing consumer, as `Queue.observe()`, without a timeout. */
  observe(): Observable<T> {
    return this.inner.observe();
  }

  /**
   * Takes one item per step, in order, as `get()` does; the loop ends once
   * the queue has ended (`end()`, `complete()`) and is drained, or throws
   * the error it ended on. Breaking out of the loop takes nothing more.
   * @example for await (const job of q) await handle(job);
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.inner[Symbol.asyncIterator]();
  }

  /** Puts `value` after those before it (see `Queue.next`). */
  next(value: T): void {
    this.inner.next(value);
  }

  /** Ends the queue once every value given to `next` is in (see `Queue.complete`). */
  complete(): void {
    this.inner.complete();
  }

  /** Ends the queue on `error` once every value given to `next` is in (see `Queue.error`). */
  error(error: unknown): void {
    this.inner.error(error);
  }

  /** A competing consumer, as `observe()`. */
  subscribe(observer?: Partial<Observer<T>> | ((value: T) => void)): Subscription {
    return this.inner.subscribe(observer);
  }

  /** `observe()`, as RxJS's `Subject.asObservable()`: a competing consumer of the items. */
  asObservable(): Observable<T> {
    return this.inner.observe();
  }

  /** `observe().pipe(...)`. */
  get pipe(): Observable<T>['pipe'] {
    return this.inner.pipe;
  }

  /** @deprecated As RxJS's own `lift` (what makes `isObservable(q)` true). Use `pipe`. */
  lift<R>(operator?: Operator<T, R>): Observable<R> {
    return this.inner.lift(operator);
  }

  /** `SimpleQueue { owner: 'this process', closed: false }` (always unbounded: no maxsize to show). */
  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return showHandle('SimpleQueue', this.facts(), options);
  }

  toString(): string {
    return showHandle('SimpleQueue', this.facts());
  }

  private facts(): { owner: string; closed: boolean } {
    const { owner, closed } = this.inner[kFacts]();
    return { owner, closed };
  }

  /** @hidden The rx layer's protocol (see `Queue`): hidden from the API docs, kept in the .d.ts, where `Consumable` names it. */
  get [kTake](): QueueTake<T> {
    return this.inner[kTake];
  }

  /** @hidden */
  get [kEndError](): Error | undefined {
    return this.inner[kEndError];
  }

  /** @hidden */
  [kAttach](prefetch: number): () => void {
    return this.inner[kAttach](prefetch);
  }

  /** @hidden */
  [kRequeue](deliveries: readonly Delivery<T>[], failed?: number): void {
    this.inner[kRequeue](deliveries, failed);
  }

  /** @hidden */
  [kAttempts](tag: number): number {
    return this.inner[kAttempts](tag);
  }

  /** @hidden */
  [kSettle](tag: number): void {
    this.inner[kSettle](tag);
  }
}

function noOptions(method: string, extra: unknown[]): TypeError {
  return new TypeError(`SimpleQueue.${method}() takes no options (it never times out), got ${extra.map(quote).join(', ')}`);
}

// `from(q)` and other interop consumers look for the observable symbol.
Object.defineProperty(SimpleQueue.prototype, observable, {
  value(this: SimpleQueue<unknown>): Subscribable<unknown> {
    return this;
  },
  configurable: true,
  writable: true,
});

// Travels in Process args and output$ as a handle (see queue-kind.ts).
markHandle(SimpleQueue, 'queue');
