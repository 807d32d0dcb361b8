import { Observable, Subject } from 'rxjs';

/** What the relay tells its process about its subscribers. */
export interface RelayHooks {
  /** The last subscriber left before the end: nobody wants what comes next. */
  abandoned?(): void;
  /** An error reached a subscriber (its error handler, or RxJS's report of an unhandled one). */
  errorSeen?(): void;
}

/**
 * Multicasts a child's output. Notifications that arrive before anyone
 * subscribes are kept for the first subscriber; after that nothing is kept
 * (a long-running stream must not grow memory), so later subscribers see
 * only what comes next — and the end, which is always replayed.
 */
export class OutputRelay<T> {
  private readonly subject = new Subject<T>();
  private early: T[] | undefined = [];
  private end: { error: unknown } | { complete: true } | undefined;
  private subscribers = 0;

  constructor(private readonly hooks: RelayHooks = {}) {}

  readonly observable = new Observable<T>((subscriber) => {
    const early = this.early;
    this.early = undefined;
    if (early) for (const value of early) subscriber.next(value);
    if (this.end) {
      if ('error' in this.end) {
        this.hooks.errorSeen?.();
        subscriber.error(this.end.error);
      } else subscriber.complete();
      return undefined;
    }
    this.subscribers++;
    const subscription = this.subject.subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      if (--this.subscribers === 0 && !this.end) this.hooks.abandoned?.();
    };
  });

  get settled(): boolean {
    return this.end !== undefined;
  }

  next(value: T): void {
    if (this.end) return;
    if (this.early) this.early.push(value);
    else this.subject.next(value);
  }

  error(error: unknown): void {
    if (this.end) return;
    this.end = { error };
    if (this.subscribers > 0) this.hooks.errorSeen?.();
    this.subject.error(error);
  }

  complete(): void {
    if (this.end) return;
    this.end = { complete: true };
    this.subject.complete();
  }
}
