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

/** The `RxmpWarning`s emitted while `body` runs, and a moment after (warnings are emitted on a later tick). */
export async function warningsDuring(body: () => Promise<unknown>): Promise<(Error & { code?: string })[]> {
  const warnings = rxmpWarnings();
  try {
    await body();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    warnings.stop();
  }
  return warnings.seen();
}
