import { Deque } from '../../../core/collections/deque.js';
import { WaitList, type WaitNode } from '../../../core/collections/wait-list.js';
import { ClosedError, Full } from '../../../errors.js';
import type { Cancel, PutListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';

interface PendingPut {
  /** Already copied at the put. */
  readonly item: unknown;
  readonly listener: PutListener;
}

/**
 * The producing half of a remote queue handle. Puts spend credits the owner
 * granted, so they resolve without a round trip while credits last; more are
 * asked for before they run out, and unused ones go back after an idle turn.
 * An unbounded queue grants credits too (a large window, kept while idle):
 * so the owner always knows which accepted puts may still be on their way,
 * and an ended queue is not drained before they are in.
 */
export class RemoteProducer {
  private credits = 0;
  /** Credits asked for and not granted yet. */
  private outstanding = 0;
  private putSinceSweep = false;
  private refused = false;
  private readonly putters = new WaitList<PendingPut>();
  private readonly tryPuts = new Deque<PendingPut | undefined>();

  constructor(private readonly ctx: RemoteContext) {}

  private get unbounded(): boolean {
    return this.ctx.maxsize === Infinity;
  }

  put(item: unknown, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    const refusal = this.ctx.failure() ?? (this.refused ? endedError() : undefined);
    if (refusal) {
      listener.failed(refusal);
      return undefined;
    }
    if (this.canPutNow) {
      this.send(item);
      this.accept(listener);
      return undefined;
    }
    if (timeout === 0) {
      // A put waits ahead of this one: there is no room for it now.
      if (this.putters.length > 0) {
        listener.failed(new Full(this.ctx.maxsize, 0));
        return undefined;
      }
      // Only the owner knows whether a slot is free: ask, without waiting in line.
      const pending: PendingPut = { item, listener };
      this.tryPuts.push(pending);
      this.ctx.busy(1);
      this.ctx.link.send({ t: 'want', q: this.ctx.id, n: 1, try: true });
      return () => withdrawTry(this.tryPuts, pending, this.ctx);
    }
    const node = this.putters.push({ item, listener });
    this.ctx.busy(1);
    if (timeout !== undefined && timeout !== Infinity) {
      this.putters.expireAfter(node, timeout, this.ctx.scheduler, (p) => {
        this.ctx.busy(-1);
        p.listener.failed(new Full(this.ctx.maxsize, timeout));
      });
    }
    this.askForCredits();
    return () => withdraw(this.putters, node, this.ctx);
  }

  /** The owner granted `n` credits (in answer to a `try` want if `tryAnswer`). */
  onCredit(n: number, tryAnswer: boolean): void {
    // A closed handle's credits were voided by its detach.
    if (this.closed) return;
    if (this.refused) {
      if (n > 0) this.ctx.link.send({ t: 'refund', q: this.ctx.id, n });
      return;
    }
    this.credits += n;
    if (tryAnswer) {
      const pending = this.tryPuts.shift();
      if (pending) {
        this.ctx.busy(-1);
        // Every put waiting here came after this one (it would have failed otherwise): it goes first.
        if (this.credits > 0) {
          this.send(pending.item);
          this.accept(pending.listener);
        } else {
          pending.listener.failed(new Full(this.ctx.maxsize, 0));
        }
      }
    } else {
      this.outstanding = Math.max(0, this.outstanding - n);
    }
    // Puts made after a try-put still waiting for its answer wait for it too: put order holds.
    while (this.credits > 0 && this.putters.length > 0 && this.tryPuts.length === 0) {
      const p = this.putters.shift() as PendingPut;
      this.ctx.busy(-1);
      this.send(p.item);
      this.accept(p.listener);
    }
    if (this.putters.length > 0) this.askForCredits();
    this.ctx.sweepSoon();
  }

  /** The queue ended: credits are void, waiting puts fail (a put with timeout 0 too: the answer to it is moot). */
  onEnded(): void {
    if (this.closed) return;
    this.refused = true;
    this.refundAll();
    for (const p of this.putters.drain()) {
      this.ctx.busy(-1);
      p.listener.failed(endedError());
    }
    for (const p of this.tryPuts.drain()) {
      if (!p) continue;
      this.ctx.busy(-1);
      p.listener.failed(endedError());
    }
  }

  /** Unused credits go back once a whole turn passed without a put spending one. */
  sweep(): boolean {
    if (this.closed || (this.credits === 0 && this.outstanding === 0) || this.putters.length > 0 || this.unbounded) return false;
    if (this.putSinceSweep) {
      this.putSinceSweep = false;
      return true; // look again next turn
    }
    this.refundAll();
    return false;
  }

  /** The handle closed: from now on it sends nothing (the owner refunds what it held when it detaches). */
  close(): void {
    this.closed = true;
    this.credits = 0;
    this.outstanding = 0;
  }

  private closed = false;

  lost(error: ClosedError): void {
    for (const p of this.putters.drain()) p.listener.failed(error);
    for (const p of this.tryPuts.drain()) p?.listener.failed(error);
  }

  private send(item: unknown): void {
    this.spend();
    this.ctx.link.sendItem('put', this.ctx.id, item);
    // Half the window at a time, without waiting for the end of the turn: the owner
    // works on that half (and returns its credits) while this side makes the other.
    if (!this.unbounded && ++this.unflushed >= Math.max(1, this.lookahead() >> 1)) {
      this.unflushed = 0;
      this.ctx.link.flush();
    }
  }

  private unflushed = 0;

  /** A put takes a credit; more are asked for before running dry, so that a steady producer rarely waits. */
  private spend(): void {
    this.credits--;
    this.putSinceSweep = true;
    if (this.credits + this.outstanding < this.lookahead() / 2) this.askForCredits();
  }

  /**
   * The put of an item just sent resolves: at once — or, on a link that
   * writes through to shared memory, once the item is out of this process,
   * so that a resolved put survives its producer (see `Link.whenOut`).
   */
  private accept(listener: PutListener): void {
    const link = this.ctx.link;
    if (!link.writesThrough) return listener.accepted();
    link.whenOut((out) => {
      if (out) listener.accepted();
      else listener.failed(this.ctx.failure() ?? new ClosedError('queue', "the queue's owner is gone (its link closed)"));
    });
  }

  /** A put would go out at once: a credit is on hand and no earlier put waits. */
  get canPutNow(): boolean {
    return !this.refused && !this.closed && this.putters.length === 0 && this.tryPuts.length === 0 && this.credits > 0;
  }

  /**
   * Puts at once if `canPutNow`, without any bookkeeping for waiting. On a
   * link that writes through, only if the item goes straight into shared
   * memory now; otherwise nothing is done (the usual way then resolves the
   * put once its item is out).
   */
  tryPut(item: unknown): boolean {
    if (!this.canPutNow) return false;
    if (!this.ctx.link.writesThrough) {
      this.send(item);
      return true;
    }
    if (!this.ctx.link.tryPutThrough(this.ctx.id, item)) return false;
    this.spend();
    return true;
  }

  /** Credits asked for beyond the puts waiting now. */
  private lookahead(): number {
    // Unbounded: a window no run of puts within one turn reaches, so a steady producer never waits.
    return this.unbounded ? 1 << 20 : Math.min(1024, this.ctx.maxsize);
  }

  /** Keeps credits + outstanding at the puts waiting plus the lookahead. */
  private askForCredits(): void {
    const n = this.putters.length + this.lookahead() - this.credits - this.outstanding;
    if (n <= 0) return;
    this.outstanding += n;
    this.ctx.link.send({ t: 'want', q: this.ctx.id, n });
  }

  /** Idle: unused credits go back, and the request still in line is withdrawn. */
  private refundAll(): void {
    if (this.credits > 0) this.ctx.link.send({ t: 'refund', q: this.ctx.id, n: this.credits });
    if (this.outstanding > 0) this.ctx.link.send({ t: 'unwant', q: this.ctx.id });
    this.credits = 0;
    this.outstanding = 0;
  }
}

function endedError(): ClosedError {
  return new ClosedError('queue', 'queue has ended: no more puts');
}

/** Removes a waiting call; `true` if it was still waiting. */
export function withdraw<W>(list: WaitList<W>, node: WaitNode<W>, ctx: RemoteContext): boolean {
  if (!list.remove(node)) return false;
  ctx.busy(-1);
  return true;
}

/** A non-blocking call cannot be taken back from the owner: its answer is just ignored. */
export function withdrawTry<W>(list: Deque<W | undefined>, entry: W, ctx: RemoteContext): boolean {
  const entries = list.drain();
  const i = entries.indexOf(entry);
  if (i >= 0) entries[i] = undefined;
  for (const e of entries) list.push(e);
  if (i < 0) return false;
  ctx.busy(-1);
  return true;
}
