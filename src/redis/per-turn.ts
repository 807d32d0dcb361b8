/**
 * One run per event-loop turn: how a Redis handle batches what was asked of
 * it in one turn into one script (`protocol.ts`: "Puts made in one
 * event-loop turn go in one PUT"; gets waiting together take in one TAKE).
 */

/** A function that runs `run` once, in a microtask, however often it is called before that. */
export function perTurn(run: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      run();
    });
  };
}
