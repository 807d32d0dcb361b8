import type { SchedulerLike, Subscription } from 'rxjs';
import { checkWait, type Wait } from './options.js';

/** How one shared primitive is waited on (a lock, a semaphore, an event). */
/** `acquire` options, as a put's (Python's `block` and `timeout`, and a signal). */
export function checkAcquire(options: unknown): Wait {
  return checkWait(options, 'acquire options');
}

export interface SharedWaitSteps {
  /** Tries at once; `patient` (a wait that may last) allows a brief spin. True when done. */
  now(patient: boolean): boolean;
  /**
   * Queues the wait; `granted` is called once, when it is this waiter's
   * turn. The returned function withdraws it and answers whether it was
   * granted meanwhile (the caller then holds what it waited for).
   */
  enter(granted: () => void): () => boolean;
  /** Gives back what an aborted wait was granted too late to refuse. */
  giveBack?(): void;
}

// An immediate answer is one of two settled promises, made once (awaiting one is as awaiting a fresh one).
const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);

/**
 * The wait every shared primitive offers, settled exactly once: `true`
 * when done (at once or granted later), `false` when `timeout` ms pass
 * first (or at once for a timeout of 0), the signal's reason when it is
 * aborted (the wait withdrawn, a late grant given back). Bad options
 * (`parse` throws) reject at once. The timeout runs on `scheduler`.
 * Nothing is allocated on the way to an immediate answer: callers make
 * their `steps` once, not per call.
 */
export function sharedWait(
  options: unknown,
  parse: (options: unknown) => Wait,
  scheduler: SchedulerLike,
  steps: SharedWaitSteps,
): Promise<boolean> {
  let wait: Wait;
  try {
    wait = parse(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { timeout, signal } = wait;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (steps.now(timeout !== 0)) return TRUE;
  if (timeout === 0) return FALSE;
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    let timer: Subscription | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      timer?.unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!settle()) return;
      if (withdraw()) steps.giveBack?.();
      reject(signal?.reason);
    };
    const withdraw = steps.enter(() => {
      if (settle()) resolve(true);
    });
    if (settled) return;
    // A grant that came before the deadline's withdrawal is kept: the caller holds it.
    if (timeout !== undefined) timer = scheduler.schedule(() => settle() && resolve(withdraw()), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Takes it now if that needs no wait, else queues: `granted` is called (at
 * once, or synchronously inside the step that grants it) once held. The
 * returned function withdraws a wait. For the Rx faces, which must see a
 * grant in the frame it happens.
 */
export function queueWith(steps: SharedWaitSteps, granted: () => void): () => void {
  if (steps.now(false)) {
    granted();
    return () => {};
  }
  const withdraw = steps.enter(granted);
  return () => void withdraw();
}

/** Acquires, runs `fn`, and releases, also when `fn` throws or rejects. */
export async function whileHeld<R>(held: { acquire(): Promise<boolean>; release(): void }, fn: () => R | PromiseLike<R>): Promise<R> {
  await held.acquire();
  try {
    return await fn();
  } finally {
    held.release();
  }
}
