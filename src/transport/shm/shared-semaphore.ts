import { type Grant, SEMAPHORE_WORDS, SemaphoreState } from '../../core/sync/semaphore-state.js';
import { nativeOrUndefined } from '../../native/native.js';
import { ME } from './bell-slots.js';
import { Doorbell, whileWaiting } from './doorbell.js';
import { guarded } from './guard.js';
import { type Mortal, watchOwners } from './owners.js';

/** Bytes a shared semaphore takes: a guard word (and padding), then its state. */
export const SHARED_SEMAPHORE_BYTES = 32 + SEMAPHORE_WORDS * 4;

/**
 * A semaphore whose state (`SemaphoreState`) lives in shared memory, used
 * by any thread or process that maps it. Each call takes the guard — a spin
 * lock on word 0, held for a few hundred nanoseconds and never across an
 * `await` — runs one step of the state, lets the guard go, and rings the
 * doorbells of the owners that step granted. A waiter's thread collects its
 * grant when its bell rings.
 */
export class SharedSemaphore implements Mortal {
  private readonly guardWord: Int32Array;
  private readonly state: SemaphoreState;
  /** This thread's waiters on this semaphore, by ticket. */
  private readonly waiters = new Map<number, (abandoned: boolean) => void>();
  private stopListening: (() => void) | undefined;

  /**
   * `signals`: a Condition's waiters — a unit is a notification, which its
   * waiter takes and keeps nothing of; one sent to a waiter that died goes
   * to the next waiter, or nowhere.
   */
  constructor(
    buffer: SharedArrayBuffer,
    offset: number,
    private readonly signals = false,
  ) {
    this.guardWord = new Int32Array(buffer, offset, 1);
    this.state = new SemaphoreState(new Int32Array(buffer, offset + 32, SEMAPHORE_WORDS));
    watchOwners(this);
  }

  /** Sets up fresh memory. */
  init(value: number, bound: number): void {
    this.guarded(() => this.state.init(value, bound));
  }

  get value(): number {
    return this.guarded(() => this.state.value);
  }

  /** Units taken now, or `undefined` if they are not free (or someone waits first). */
  tryTake(): { abandoned: boolean } | undefined {
    const taken = this.guarded(() => this.state.tryTake(ME, 1));
    return taken.ok ? { abandoned: taken.abandoned } : undefined;
  }

  /**
   * Waits in line for one unit: `granted` is called once it is this
   * waiter's. The returned function withdraws the wait; it returns `true`
   * if the unit was granted first (the caller then holds it).
   */
  wait(granted: (abandoned: boolean) => void): () => boolean {
    const { ticket, grants } = this.guarded(() => this.state.enqueue(ME, 1));
    if (ticket < 0) throw new RangeError('too many waiters on one semaphore (32 at most)');
    this.waiters.set(ticket, granted);
    if (this.waiters.size === 1) this.listen();
    this.wake(grants);
    return () => {
      if (!this.waiters.delete(ticket)) return true; // granted and collected already
      if (this.waiters.size === 0) this.unlisten();
      const left = this.guarded(() => {
        const outcome = this.state.withdraw(ticket);
        if (outcome.outcome !== 'granted') return outcome;
        this.collect(ticket);
        return outcome;
      });
      if (left.outcome === 'withdrawn') this.wake(left.grants);
      return left.outcome === 'granted';
    };
  }

  /** Gives back one unit; `false` (nothing changes) when a bound would be passed. */
  release(units = 1): boolean {
    const grants = this.guarded(() => this.state.release(ME, units));
    if (grants === 'over') return false;
    this.wake(grants);
    return true;
  }

  /** Notifies the first `n` waiters (fewer if fewer wait): a Condition's notify. */
  notify(n: number): void {
    this.wake(
      this.guarded(() => {
        const k = Math.min(n, this.state.waiting);
        return k > 0 ? this.state.post(k) : [];
      }),
    );
  }

  /** Waiters still waiting, in every thread and process. */
  get waiting(): number {
    return this.guarded(() => this.state.waiting);
  }

  /** Owners `dead` names are gone: what they held comes back, their waits end. */
  dropOwners(dead: (owner: number) => boolean): void {
    // A guard held by a dead owner would hold everyone up: it was in the middle of a step; take it over.
    const holder = Atomics.load(this.guardWord, 0);
    if (holder !== 0 && dead(holder)) Atomics.compareExchange(this.guardWord, 0, holder, 0);
    this.wake(
      this.guarded(() => {
        const grants = this.state.dropOwners(dead);
        if (this.signals) this.state.discardUnwanted();
        return grants;
      }),
    );
  }

  /** Collects `ticket`'s grant (under the guard); a signal leaves nothing held. */
  private collect(ticket: number): ReturnType<SemaphoreState['collect']> {
    const got = this.state.collect(ticket);
    if (got.granted && this.signals) this.state.forget(ME, 1);
    return got;
  }

  /** This thread's waiters collect what was granted to them. */
  private check(): void {
    for (const [ticket, granted] of [...this.waiters]) {
      const got = this.guarded(() => this.collect(ticket));
      if (!got.granted) continue;
      this.waiters.delete(ticket);
      if (this.waiters.size === 0) this.unlisten();
      granted(got.abandoned);
    }
  }

  private wake(grants: Grant[]): void {
    let mine = false;
    for (const { owner } of grants) {
      if (owner === ME) mine = true;
      else if (nativeOrUndefined()) Doorbell.get().ring(owner);
    }
    if (mine) this.check();
  }

  private listen(): void {
    this.stopListening = whileWaiting(() => this.check(), !nativeOrUndefined());
  }

  private unlisten(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private guarded<T>(step: () => T): T {
    return guarded(this.guardWord, 0, step);
  }
}
