import type { Subscription } from 'rxjs';
import type { Cancel, PutListener } from '../core/listeners.js';
import { ClosedError, Full } from '../errors.js';
import { perTurn } from './per-turn.js';
import { boundArg, type RedisContext } from './redis-context.js';
import { PUT, UNDO, WAKE } from './scripts.js';

interface PendingPut {
  readonly entry: Buffer;
  readonly listener: PutListener;
  readonly timeout: number | undefined;
  /** Sent in a PUT that has not answered yet. */
  sending: boolean;
  /** Tried, and found no room: waits for a hint. */
  waited: boolean;
  /** Withdrawn or settled: nobody hears of it any more. */
  done: boolean;
  /** Its deadline passed while its PUT was on its way: the answer settles it (see `expire`). */
  expired: boolean;
  deadline: Subscription | undefined;
}

/** How many entries one PUT carries at most. */
const BATCH = 256;
/** How many PUTs of one handle may be on their way at once. */
const MAX_IN_FLIGHT = 8;
/** How long a waiting putter blocks on the wake list before it looks again (seconds). */
const WAKE_CHUNK_S = 1;

/**
 * The producer half of a Redis endpoint: puts of one handle, in order,
 * batched per event-loop turn into one PUT script. A bounded queue's
 * putters that found no room wait on the wake list (see `protocol.ts`).
 */
export class RedisProducer {
  private readonly puts: PendingPut[] = [];
  private readonly soon = perTurn(() => this.pump());
  private inflight = 0;
  private waking = false;
  private flushed: (() => void)[] = [];

  constructor(private readonly ctx: RedisContext) {}

  get pending(): number {
    return this.puts.length;
  }

  /** Earlier puts of this handle wait for room. */
  get waiting(): boolean {
    return this.puts.some((p) => p.waited && !p.done);
  }

  put(entry: Buffer, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    // Earlier puts of this handle wait for room: one that must not wait finds none either.
    if (timeout === 0 && this.waiting) {
      listener.failed(new Full(this.ctx.maxsize, 0));
      return undefined;
    }
    const p: PendingPut = { entry, listener, timeout, sending: false, waited: false, done: false, expired: false, deadline: undefined };
    this.puts.push(p);
    if (timeout !== undefined && timeout !== Infinity && timeout > 0) {
      p.deadline = this.ctx.scheduler.schedule(() => this.expire(p), timeout);
    }
    this.ctx.busyChanged();
    this.soon();
    return () => this.withdraw(p);
  }

  /** Resolves once no put of this handle is on its way to the server. */
  flush(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushed.push(resolve));
  }

  /** Fails every put still waiting (the connection is gone). */
  failAll(error: Error): void {
    for (const p of this.puts.splice(0)) this.settle(p, () => p.listener.failed(error));
    this.ctx.busyChanged();
  }

  private withdraw(p: PendingPut): boolean {
    if (p.done) return false;
    p.done = true;
    p.deadline?.unsubscribe();
    // One on its way stays in the list: if the server took it, it is taken out again (see `answered`).
    if (!p.sending) this.remove(p);
    return true;
  }

  /**
   * Exact on the scheduler, except for a put whose PUT is on its way: the
   * server may take it and a waiting consumer get it before any take-back
   * could run, so it settles on the answer (accepted if taken, else `Full`)
   * rather than reject `Full` for an item that was delivered.
   */
  private expire(p: PendingPut): void {
    if (p.done) return;
    if (p.sending) {
      p.expired = true;
      return;
    }
    if (this.withdraw(p)) p.listener.failed(new Full(this.ctx.maxsize, p.timeout as number));
  }

  private settle(p: PendingPut, tell: () => void): void {
    if (p.done) return;
    p.done = true;
    p.deadline?.unsubscribe();
    tell();
  }

  private remove(p: PendingPut): void {
    const i = this.puts.indexOf(p);
    if (i >= 0) this.puts.splice(i, 1);
    this.ctx.busyChanged();
  }

  /**
   * Sends the next batch. Several may be on their way; in a bounded queue a
   * later put must never pass one that found no room, so a PUT that refuses
   * some closes this handle's gate on the server, and later PUTs refuse all
   * until a retry (`waited`, sent alone) opens it again.
   */
  private pump(waited = false): void {
    const bounded = this.ctx.maxsize !== Infinity;
    if (this.inflight >= MAX_IN_FLIGHT || (waited && this.inflight > 0)) return;
    const batch: PendingPut[] = [];
    for (const p of this.puts) {
      if (p.sending) continue;
      if (p.done) continue;
      if (bounded && p.waited && !waited) return; // waits for a hint
      batch.push(p);
      if (batch.length === BATCH) break;
    }
    if (batch.length === 0) return;
    // With nothing else of this handle on its way, no earlier put can be passed: it opens the gate.
    const opens = waited || this.inflight === 0 ? '1' : '0';
    const conns = this.ctx.connections.now;
    for (const p of batch) p.sending = true;
    this.inflight++;
    const { keys } = this.ctx;
    const send = conns
      ? conns.cmd.run(
          PUT,
          [keys.items, keys.ended, keys.unfinished, keys.wake, keys.ahead, keys.gate(this.ctx.consumer)],
          [boundArg(this.ctx.maxsize), this.ctx.joinable ? '1' : '0', opens, ...batch.map((p) => p.entry)],
        )
      : this.ctx.connections
          .ready()
          .then((c) =>
            c.cmd.run(
              PUT,
              [keys.items, keys.ended, keys.unfinished, keys.wake, keys.ahead, keys.gate(this.ctx.consumer)],
              [boundArg(this.ctx.maxsize), this.ctx.joinable ? '1' : '0', opens, ...batch.map((p) => p.entry)],
            ),
          );
    send.then(
      (n) => this.answered(batch, Number(n)),
      (error: Error) => this.failed(batch, error),
    );
  }

  private answered(batch: PendingPut[], n: number): void {
    this.inflight--;
    const ended = n < 0;
    const taken = ended ? 0 : n;
    const undo: Buffer[] = [];
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i] as PendingPut;
      p.sending = false;
      if (i < taken) {
        this.remove(p);
        // Withdrawn while its PUT was on its way: the server took it, so it comes out again.
        if (p.done) undo.push(p.entry);
        else this.settle(p, () => p.listener.accepted());
      } else if (ended) {
        this.remove(p);
        this.settle(p, () => p.listener.failed(new ClosedError('queue', 'queue has ended: no more puts')));
      } else if (p.done) {
        this.remove(p);
      } else if (p.timeout === 0 || p.expired) {
        this.remove(p);
        this.settle(p, () => p.listener.failed(new Full(this.ctx.maxsize, p.timeout as number)));
      } else {
        p.waited = true;
      }
    }
    if (undo.length > 0) this.takeBack(undo);
    if (ended) for (const p of [...this.puts]) this.failEnded(p);
    this.afterFlight();
    if (this.waiting) this.waitForRoom();
    else this.pump();
  }

  private failEnded(p: PendingPut): void {
    if (p.sending) return;
    this.remove(p);
    this.settle(p, () => p.listener.failed(new ClosedError('queue', 'queue has ended: no more puts')));
  }

  private failed(batch: PendingPut[], error: Error): void {
    this.inflight--;
    for (const p of batch) {
      p.sending = false;
      this.remove(p);
      this.settle(p, () => p.listener.failed(error));
    }
    this.afterFlight();
    this.pump();
  }

  private afterFlight(): void {
    if (this.inflight > 0) return;
    for (const resolve of this.flushed.splice(0)) resolve();
  }

  /** Entries the server took for puts withdrawn meanwhile: the last equal entry of items goes (equal entries are the same item). */
  private takeBack(entries: Buffer[]): void {
    const conns = this.ctx.connections.now;
    if (!conns) return;
    for (const entry of entries) {
      void conns.cmd
        .run(UNDO, [this.ctx.keys.items, this.ctx.keys.unfinished], [entry, this.ctx.joinable ? '1' : '0', this.ctx.keys.drained])
        .catch((e) => this.ctx.report(e));
    }
  }

  private passHint(): void {
    const conns = this.ctx.connections.now;
    if (!conns) return;
    void conns.cmd.run(WAKE, [this.ctx.keys.wake], []).catch((e) => this.ctx.report(e));
  }

  /** Blocks on the wake list until a hint comes (or a second passes), then retries the oldest waiting puts. */
  private waitForRoom(): void {
    if (this.waking) return;
    this.waking = true;
    void (async () => {
      try {
        const { conn } = await this.ctx.connections.blocker('put');
        while (this.waiting && !this.ctx.connections.closed) {
          const hint = await conn.blpop(this.ctx.keys.wake, WAKE_CHUNK_S);
          // A retry goes alone: what is still on its way answers first.
          await this.flush();
          if (!this.waiting) {
            // The puts it was for went meanwhile (withdrawn, timed out): the room is another putter's.
            if (hint !== null) this.passHint();
            break;
          }
          await new Promise<void>((resolve) => {
            this.flushed.push(resolve);
            this.pump(true);
            if (this.inflight === 0) this.afterFlight();
          });
        }
      } catch (error) {
        this.ctx.connections.dropBlocker('put');
        if (!this.ctx.connections.closed) this.failAll(error as Error);
      } finally {
        this.waking = false;
      }
    })();
  }
}
