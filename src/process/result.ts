/**
 * `Process.result`: made only when first asked for, so a failure nobody asked
 * about never becomes an unhandled rejection (asking for it is handling it:
 * a promise the user then drops is reported by Node, as any other).
 */
export class LazyResult<R> {
  private outcome: { value: R } | { error: unknown } | undefined;
  private promise: Promise<R> | undefined;
  private resolve: ((value: R) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;

  get(): Promise<R> {
    if (!this.promise) {
      this.promise = new Promise<R>((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
      });
      if (this.outcome) this.apply(this.outcome);
    }
    return this.promise;
  }

  /** Settles it, once; later calls are ignored. */
  settle(outcome: { value: R } | { error: unknown }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if (this.promise) this.apply(outcome);
  }

  private apply(outcome: { value: R } | { error: unknown }): void {
    if ('value' in outcome) this.resolve?.(outcome.value);
    else this.reject?.(outcome.error);
  }
}
