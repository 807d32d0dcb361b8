/** The code of the warning a JoinableQueue's owner gives when no consumer is left for its open tasks. */
export const NO_CONSUMER = 'RXMP_NO_CONSUMER';

/**
 * How long after its last consumer is gone a queue waits for a new one before
 * it warns: a supervisor that replaces a dead worker at once stays quiet.
 */
export const NO_CONSUMER_GRACE_MS = 1000;

/**
 * Python's `join()` hangs without a word when the consumers die; rxmp
 * redelivers what they held, and says so when nobody is left to take it:
 * `join()` then waits until a new consumer comes.
 */
export function warnNoConsumer(queue: string, who: string | undefined, unfinished: number, waiting: number, redelivered: number): void {
  const back = redelivered > 0 ? `, ${redelivered} of them redelivered from it` : '';
  process.emitWarning(
    `the last consumer of JoinableQueue ${queue}${who ? ` (${who})` : ''} is gone with ${unfinished} task${unfinished === 1 ? '' : 's'} unfinished ` +
      `(${waiting} item${waiting === 1 ? '' : 's'} waiting in the queue${back}); join() will wait until a new consumer takes them`,
    { type: 'RxmpWarning', code: NO_CONSUMER },
  );
}
