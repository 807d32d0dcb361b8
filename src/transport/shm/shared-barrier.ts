import { type Arrival, BARRIER_WORDS, BarrierState } from '../../core/sync/barrier-state.js';
import { nativeOrUndefined } from '../../native/native.js';
import { ME } from './bell-slots.js';
import { Doorbell, whileWaiting } from './doorbell.js';
import { guarded } from './guard.js';
import { type Mortal, watchOwners } from './owners.js';

/** Bytes a shared barrier takes: a guard word (and padding), then its state. */
export const SHARED_BARRIER_BYTES = 32 + BARRIER_WORDS * 4;

interface Waiter {
  gen: number;
  settle(outcome: 'passed' | 'broken'): void;
}

/**
 * A barrier whose state (`BarrierState`) lives in shared memory. Each call
 * runs one step of the state under the guard, then rings the owners that
 * step woke; a woken thread looks up how its waiters' generations ended.
 * The thread that made a barrier with an action listens for its turn to
 * run it (without keeping its event loop alive).
 */
export class SharedBarrier implements Mortal {
  private readonly guardWord: Int32Array;
  private readonly state: BarrierState;
  private readonly waiters = new Set<Waiter>();
  private stopListening: (() => void) | undefined;

  constructor(
    buffer: SharedArrayBuffer,
    offset: number,
    /** Runs the action here (this thread made the barrier with one); `true` if it did not throw. */
    private readonly runAction?: () => boolean,
  ) {
    this.guardWord = new Int32Array(buffer, offset, 1);
    this.state = new BarrierState(new Int32Array(buffer, offset + 32, BARRIER_WORDS));
    watchOwners(this);
  }

  init(parties: number, hasAction: boolean): void {
    this.guarded(() => this.state.init(parties, hasAction ? ME : 0));
    // The creator hears when its action's turn comes, from any thread or process.
    if (hasAction) {
      if (nativeOrUndefined()) Doorbell.get().listen(() => this.check());
      else setInterval(() => this.check(), 1).unref();
    }
  }

  get parties(): number {
    return this.state.parties;
  }

  get broken(): boolean {
    return this.guarded(() => this.state.broken);
  }

  get waiting(): number {
    return this.guarded(() => this.state.waiting);
  }

  arrive(): Arrival {
    const arrival = this.guarded(() => this.state.arrive(ME));
    if (arrival.kind === 'wait' || arrival.kind === 'passed') this.wake(arrival.wake);
    return arrival;
  }

  /** Runs the action for every generation that waits for it, in order (this thread made the barrier). */
  runPendingActions(): void {
    if (!this.runAction) return;
    while (this.guarded(() => this.state.pending) !== undefined) {
      const ok = this.runAction();
      this.wake(this.guarded(() => this.state.complete(ok)));
    }
  }

  /** How generation `gen` ended (once its action ran). */
  outcome(gen: number): 'waiting' | 'passed' | 'broken' {
    return this.guarded(() => this.state.outcome(gen));
  }

  /** Calls `settle` once generation `gen` ends; the returned function stops waiting. */
  await(gen: number, settle: (outcome: 'passed' | 'broken') => void): () => void {
    const waiter = { gen, settle };
    this.waiters.add(waiter);
    if (this.waiters.size === 1) this.stopListening = whileWaiting(() => this.check(), !nativeOrUndefined());
    this.check();
    return () => this.forget(waiter);
  }

  breakNow(): void {
    this.wake(this.guarded(() => this.state.breakNow()));
  }

  reset(): void {
    this.wake(this.guarded(() => this.state.reset()));
  }

  dropOwners(dead: (owner: number) => boolean): void {
    this.wake(this.guarded(() => this.state.dropOwners(dead)));
  }

  private check(): void {
    this.runPendingActions();
    for (const waiter of [...this.waiters]) {
      const outcome = this.guarded(() => this.state.outcome(waiter.gen));
      if (outcome === 'waiting') continue;
      this.forget(waiter);
      waiter.settle(outcome);
    }
  }

  private forget(waiter: Waiter): void {
    if (this.waiters.delete(waiter) && this.waiters.size === 0) {
      this.stopListening?.();
      this.stopListening = undefined;
    }
  }

  private wake(owners: number[]): void {
    let mine = false;
    for (const owner of owners) {
      if (owner === ME) mine = true;
      else if (nativeOrUndefined()) Doorbell.get().ring(owner);
    }
    if (mine) this.check();
  }

  private guarded<T>(step: () => T): T {
    return guarded(this.guardWord, 0, step);
  }
}
