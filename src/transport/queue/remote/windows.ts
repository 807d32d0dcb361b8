/**
 * The prefetch windows of the consumers waiting on a remote handle, as a
 * count per window size: the largest is known without walking every waiting
 * get (a handle may have tens of thousands, each asking in turn).
 */
export class Windows {
  private readonly counts = new Map<number, number>();

  add(window: number): void {
    this.counts.set(window, (this.counts.get(window) ?? 0) + 1);
  }

  remove(window: number): void {
    const n = this.counts.get(window) ?? 0;
    if (n <= 1) this.counts.delete(window);
    else this.counts.set(window, n - 1);
  }

  clear(): void {
    this.counts.clear();
  }

  /** The largest window (0 when none); distinct sizes are few (a handful of call sites). */
  max(): number {
    let largest = 0;
    for (const window of this.counts.keys()) largest = Math.max(largest, window);
    return largest;
  }
}
