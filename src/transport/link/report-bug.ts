/**
 * Reports an exception that no peer caused: a bug in rxmp (or in a callback
 * it ran). It is made loud — a process warning with the whole stack — and
 * nothing else is blamed: the link it happened on stays up.
 */
export function reportBug(doing: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.emitWarning(`rxmp internal error while ${doing} (please report it): ${detail}`, {
    type: 'RxmpWarning',
    code: 'RXMP_INTERNAL_ERROR',
  });
}
