import { Observable, Subject } from 'rxjs';

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

  readonly observable = new Observable<T>((subscriber) => {
    const early = this.early;
    this.early = undefined;
    if (early) for (const value of early) subscriber.next(value);
    if (this.end) {
      if ('error' in this.end) subscriber.error(this.end.error);
      else subscriber.complete();
      return undefined;
    }
    return this.subject.subscribe(subscriber);
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
    this.subject.error(error);
  }

  complete(): void {
    if (this.end) return;
    this.end = { complete: true };
    this.subject.complete();
  }
}
