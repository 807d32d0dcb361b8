import { from, type ObservableInput, type Subscription } from 'rxjs';

/** What a pool call takes its inputs from. An Observable pushes; the others are pulled one item per free slot. */
export type TaskInput<T> = Iterable<T> | AsyncIterable<T> | ObservableInput<T>;

/** Why a pull stopped: nothing yet (`ready` will be called), the end, or the source's error. */
export type Pulled = 'wait' | 'done' | { error: unknown };

/**
 * A pool call's inputs, taken only when the pool has a free slot: an
 * iterable's `next()` runs then, an async iterable's one `next()` at a time.
 * An Observable cannot be paused, so what it pushes early waits here — in
 * this process, never counted in flight — until slots free.
 */
export class TaskFeed<T> {
  private iterator: Iterator<T> | undefined;
  private asyncIterator: AsyncIterator<T> | undefined;
  private subscription: Subscription | undefined;
  private buffer: T[] = [];
  /** The next unread item of `buffer` (shifting a long array per item would cost O(n) each). */
  private head = 0;
  private asking = false;
  private end: 'done' | { error: unknown } | undefined;
  private stopped = false;

  constructor(
    source: TaskInput<T>,
    /** An item (or the end) arrived after a pull said `'wait'`. */
    private readonly ready: () => void,
  ) {
    try {
      if (source !== null && typeof source === 'object' && Symbol.iterator in source) {
        this.iterator = (source as Iterable<T>)[Symbol.iterator]();
      } else if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
        this.asyncIterator = (source as AsyncIterable<T>)[Symbol.asyncIterator]();
      } else {
        this.subscription = from(source as ObservableInput<T>).subscribe({
          next: (value) => {
            this.buffer.push(value);
            this.ready();
          },
          error: (error) => this.ended({ error }),
          complete: () => this.ended('done'),
        });
      }
    } catch (error) {
      this.end = { error };
    }
  }

  /**
   * Up to `max` items pushed onto `into` (one chunk), then what stopped
   * them: `'more'` (`max` reached), or why there is no next item now
   * (`'wait'`: `ready` will be called).
   */
  pullInto(into: T[], max: number): 'more' | Pulled {
    while (into.length < max) {
      if (this.stopped) return 'done';
      if (this.head < this.buffer.length) {
        into.push(this.buffer[this.head++] as T);
        if (this.head === this.buffer.length) {
          this.buffer = [];
          this.head = 0;
        }
        continue;
      }
      if (this.end) return this.end;
      if (!this.iterator) {
        if (this.asyncIterator && !this.asking) this.ask(this.asyncIterator);
        return 'wait';
      }
      try {
        const step = this.iterator.next();
        if (step.done) this.end = 'done';
        else into.push(step.value);
      } catch (error) {
        this.end = { error };
      }
    }
    return 'more';
  }

  /** No more items are wanted: the iterator is returned, the Observable unsubscribed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.buffer = [];
    this.subscription?.unsubscribe();
    if (!this.end) {
      try {
        this.iterator?.return?.();
        void this.asyncIterator?.return?.()?.catch?.(() => {});
      } catch {
        // A source that fails while being let go has nothing more to say to anyone.
      }
    }
  }

  private ask(iterator: AsyncIterator<T>): void {
    this.asking = true;
    iterator.next().then(
      (step) => {
        this.asking = false;
        if (this.stopped) return;
        if (step.done) this.end = 'done';
        else this.buffer.push(step.value);
        this.ready();
      },
      (error) => {
        this.asking = false;
        this.ended({ error });
      },
    );
  }

  private ended(end: 'done' | { error: unknown }): void {
    if (this.stopped || this.end) return;
    this.end = end;
    this.ready();
  }
}
