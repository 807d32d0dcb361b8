/** Collects the `RxmpWarning`s this process emits while a spec runs. */
export interface WarningsSeen {
  /** Resolves with what was seen once there is at least one. */
  next(): Promise<(Error & { code?: string })[]>;
  seen(): (Error & { code?: string })[];
  stop(): void;
}

export function rxmpWarnings(): WarningsSeen {
  const seen: (Error & { code?: string })[] = [];
  const waiting: (() => void)[] = [];
  const listener = (warning: Error & { code?: string }): void => {
    if (warning.name !== 'RxmpWarning') return;
    seen.push(warning);
    for (const wake of waiting.splice(0)) wake();
  };
  process.on('warning', listener);
  return {
    next: () => (seen.length > 0 ? Promise.resolve(seen) : new Promise((resolve) => waiting.push(() => resolve(seen)))),
    seen: () => seen,
    stop: () => process.off('warning', listener),
  };
}
