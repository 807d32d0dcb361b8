import type { Delivery } from '../core/listeners.js';
import { withAttempts } from './entry-codec.js';
import type { Arg, LuaScript } from './port.js';
import { boundArg, type RedisContext } from './redis-context.js';
import { DONE, MOVED, RETURN } from './scripts.js';

/** An entry this handle holds in its processing list, by delivery tag. */
interface Held {
  readonly entry: Buffer;
  readonly attempts: number;
}

/** How often a command that met a missing server is tried again (100 ms apart: about as long as a connection tries to come back). */
export const RETRIES = 150;

/**
 * What one consumer handle keeps in its processing list on the server, and
 * what it has not yet told the server about it: the deliveries it holds
 * (JoinableQueue, `consume`) until done or given back, the plain ones
 * handed over (dropped in one MOVED per turn), and the change of its count
 * of entries fetched ahead (`P:ahead`), kept so that server count + `delta`
 * = entries fetched ahead now.
 */
export class ProcessingList<T> {
  private readonly held = new Map<number, Held>();
  private nextTag = 1;
  private dropped: Buffer[] = [];
  /** Done (or settled) here, their DONE not yet run on the server: still in the list, and not to be given back. */
  private finishing: Buffer[] = [];
  /** Change of `P:ahead[c]` not yet sent. */
  delta = 0;
  private hintPending = false;
  private moveScheduled = false;
  /** A TAKE is on its way: what is given back meanwhile waits for it (its leftovers belong behind). */
  private taking = false;
  private deferred: { pairs: Buffer[]; ahead: number } | undefined;

  constructor(private readonly ctx: RedisContext) {}

  attempts(tag: number): number {
    return this.held.get(tag)?.attempts ?? 0;
  }

  /** The oldest delivery held (JoinableQueue's `taskDone()` without a tag). */
  oldest(): number | undefined {
    return this.held.keys().next().value;
  }

  has(tag: number): boolean {
    return this.held.has(tag);
  }

  /** Every entry the processing list holds for a reason this handle knows (RECLAIM keeps them). */
  known(fetched: readonly Buffer[]): Buffer[] {
    return [...fetched, ...this.dropped, ...this.finishing, ...[...this.held.values()].map((h) => h.entry)];
  }

  /** Records a delivery: held (its entry stays in the processing list) or dropped from the list soon. Returns its tag. */
  deliver(entry: Buffer, attempts: number, keep: boolean): number {
    const tag = this.nextTag++;
    if (keep) this.held.set(tag, { entry, attempts });
    else {
      this.dropped.push(entry);
      this.scheduleMoved();
    }
    return tag;
  }

  /** Done (JoinableQueue) or settled (plain): the entry leaves the processing list. */
  finish(tag: number, joinable: boolean): void {
    const h = this.held.get(tag);
    if (!h) return;
    this.held.delete(tag);
    const { keys } = this.ctx;
    // DONE is idempotent (it decrements only what it removed): retried while the server is away.
    // Until it has run, a RECLAIM (after a failed get) must keep the entry: it is done, not lost.
    this.finishing.push(h.entry);
    const ran = (): void => {
      const i = this.finishing.indexOf(h.entry);
      if (i >= 0) this.finishing.splice(i, 1);
    };
    this.command(DONE, [keys.processing(this.ctx.consumer), keys.unfinished], [h.entry, joinable ? '1' : '0', keys.drained], RETRIES, ran);
  }

  /**
   * Deliveries back to the front of the queue, `failed`'s with one more
   * attempt on its count; `fetched` (taken out of the caller's window) goes
   * back behind them: the front means before what was fetched ahead too.
   */
  requeue(deliveries: readonly Delivery<T>[], failed: number | undefined, fetched: Buffer[]): void {
    const pairs: Buffer[] = [];
    for (const d of deliveries) {
      const h = this.held.get(d.tag);
      if (!h) continue;
      this.held.delete(d.tag);
      pairs.push(h.entry, withAttempts(h.entry, h.attempts + (d.tag === failed ? 1 : 0)));
    }
    if (pairs.length === 0) return;
    const ahead = fetched.length;
    for (const entry of fetched.splice(0)) pairs.push(entry, entry);
    this.giveBack(pairs, ahead);
  }

  /** The handle leaves (LEAVE gives back everything): nothing is held any more. */
  clear(): void {
    this.held.clear();
    this.dropped = [];
    this.deferred = undefined;
  }

  /** A BLMOVE freed room in a bounded queue: the next MOVED wakes a putter. */
  hint(): void {
    this.hintPending = true;
    this.scheduleMoved();
  }

  /** Tells the server, once per turn, which plain entries were handed over and how the count ahead changed (MOVED). */
  scheduleMoved(): void {
    if (this.moveScheduled) return;
    if (this.dropped.length === 0 && this.delta === 0 && !this.hintPending) return;
    this.moveScheduled = true;
    queueMicrotask(() => {
      this.moveScheduled = false;
      this.flushMoved();
    });
  }

  private flushMoved(): void {
    const drop = this.dropped;
    const delta = this.delta;
    const hint = this.hintPending;
    if (drop.length === 0 && delta === 0 && !hint) return;
    this.dropped = [];
    this.delta = 0;
    this.hintPending = false;
    const { keys, consumer } = this.ctx;
    // The unused slot holds a key of the queue too: a declared key outside its slot is CROSSSLOT on a cluster.
    this.command(
      MOVED,
      [keys.processing(consumer), keys.ahead, keys.items, keys.wake],
      [boundArg(this.ctx.maxsize), hint ? '1' : '0', String(delta), consumer, ...drop],
    );
  }

  /** A TAKE leaves: what is given back until it answers waits (see `tookBack`). */
  startTaking(): void {
    this.taking = true;
  }

  /** The TAKE on its way has answered: what was given back meanwhile goes now. */
  tookBack(): void {
    this.taking = false;
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred) this.giveBack(deferred.pairs, deferred.ahead);
  }

  /** Entries fetched ahead that no stream wants any more go back to the head, in order. */
  giveBackFetched(fetched: Buffer[]): void {
    if (fetched.length === 0) return;
    const pairs: Buffer[] = [];
    for (const entry of fetched.splice(0)) pairs.push(entry, entry);
    this.giveBack(pairs, pairs.length / 2);
  }

  /** (held, back) pairs to the head, oldest first; `ahead`: how many were counted as fetched ahead. */
  giveBack(pairs: Buffer[], ahead: number): void {
    if (this.taking) {
      // Later pairs are older (they were given back after): in front.
      if (this.deferred) this.deferred = { pairs: [...pairs, ...this.deferred.pairs], ahead: this.deferred.ahead + ahead };
      else this.deferred = { pairs, ahead };
      return;
    }
    const { keys, consumer } = this.ctx;
    // Counted ahead so far: what this handle has not yet told the server of goes with it.
    const pending = this.delta;
    this.delta = 0;
    this.command(RETURN, [keys.processing(consumer), keys.items, keys.ahead], [consumer, String(ahead - pending), ...pairs]);
  }

  /**
   * Runs `script` with nothing waiting on it; `retries`: how often to try
   * again, 100 ms apart, if it fails. `settled`: called once it has run, or
   * once it is given up.
   */
  command(script: LuaScript, k: string[], a: Arg[], retries = 0, settled?: () => void): void {
    const conns = this.ctx.connections.now;
    const run = conns ? conns.cmd.run(script, k, a) : this.ctx.connections.ready().then((c) => c.cmd.run(script, k, a));
    this.ctx.track(run).then(settled, (e) => {
      if (retries > 0 && !this.ctx.connections.closed) {
        setTimeout(() => this.command(script, k, a, retries - 1, settled), 100).unref();
      } else {
        settled?.();
        this.ctx.report(e);
      }
    });
  }
}
