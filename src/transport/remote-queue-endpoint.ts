import type { SchedulerLike } from 'rxjs';
import { Deque } from '../core/deque.js';
import { WaitList, type WaitNode } from '../core/wait-list.js';
import { ClosedError, Empty, Full } from '../errors.js';
import type { Codec } from '../wire/codec.js';
import { decodeError } from '../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../wire/protocol.js';
import type { Link } from './link.js';
import type { Cancel, Delivery, GetListener, PutListener, QueueEndpoint } from './queue-endpoint.js';

interface PendingPut {
  readonly bytes: Uint8Array;
  readonly listener: PutListener;
}

interface PendingGet<T> {
  readonly listener: GetListener<T>;
  readonly prefetch: number;
}

interface Fetched {
  readonly bytes: Uint8Array;
  readonly tag: number;
}

/** Issues calls and routes their replies (one instance per runtime). */
export interface Caller {
  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void): number;
  forget(rid: number): void;
}

/**
 * A handle on a queue owned by another runtime. Puts spend credits the owner
 * granted (no round trip while they last); gets take from items fetched
 * ahead, which stay counted toward `maxsize` until acknowledged. Timeouts
 * run here, on this side's scheduler. If the link to the owner goes, every
 * waiting call rejects `ClosedError`.
 */
export class RemoteQueueEndpoint<T> implements QueueEndpoint<T> {
  private failure: ClosedError | undefined;
  private putsRefused = false;
  private drained = false;
  // producing
  private credits = 0;
  private wanting = false;
  private putSinceSweep = false;
  private sweepScheduled = false;
  private readonly putters = new WaitList<PendingPut>();
  private readonly tryPuts = new Deque<PendingPut | undefined>();
  // consuming
  private readonly buffer = new Deque<Fetched>();
  private readonly getters = new WaitList<PendingGet<T>>();
  private readonly tryGets = new Deque<GetListener<T> | undefined>();
  private fetching = 0;
  private nextTag = 1;
  private readonly held = new Set<number>();
  // calls and liveness
  private readonly calls = new Set<number>();
  private waiting = 0;

  constructor(
    readonly id: string,
    readonly owner: Address,
    readonly maxsize: number,
    readonly joinable: boolean,
    readonly scheduler: SchedulerLike,
    private readonly link: Link,
    private readonly codec: Codec,
    private readonly caller: Caller,
  ) {}

  private get unbounded(): boolean {
    return this.maxsize === Infinity;
  }

  // ---- puts ----------------------------------------------------------------

  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    const refusal = this.refusal();
    if (refusal) {
      listener.failed(refusal);
      return undefined;
    }
    const bytes = this.codec.encode(item);
    if (this.putters.length === 0 && (this.unbounded || this.credits > 0)) {
      this.send(bytes);
      listener.accepted();
      return undefined;
    }
    if (timeout === 0) {
      // Only the owner knows whether a slot is free: ask, without waiting in line.
      const pending: PendingPut = { bytes, listener };
      this.tryPuts.push(pending);
      this.busy(1);
      this.link.send({ t: 'want', q: this.id, n: 1, try: true });
      return () => this.withdrawTry(this.tryPuts, pending);
    }
    const node = this.putters.push({ bytes, listener });
    this.busy(1);
    if (timeout !== undefined && timeout !== Infinity) {
      this.putters.expireAfter(node, timeout, this.scheduler, (p) => {
        this.busy(-1);
        p.listener.failed(new Full(this.maxsize, timeout));
      });
    }
    this.askForCredits();
    return () => this.withdraw(this.putters, node);
  }

  private send(bytes: Uint8Array): void {
    if (!this.unbounded) {
      this.credits--;
      this.putSinceSweep = true;
      // Ask for more before running dry, so a steady producer rarely waits.
      if (this.credits < this.lookahead() / 2) this.askForCredits();
    }
    this.link.send({ t: 'put', q: this.id, items: [bytes] });
  }

  /** Credits asked for beyond the puts waiting now. */
  private lookahead(): number {
    return Math.min(1024, Math.ceil(this.maxsize / 2));
  }

  private askForCredits(): void {
    if (this.wanting || this.unbounded) return;
    this.wanting = true;
    this.link.send({ t: 'want', q: this.id, n: this.putters.length + this.lookahead() });
  }

  private onCredit(n: number, tryAnswer: boolean): void {
    if (this.putsRefused) {
      if (n > 0) this.link.send({ t: 'refund', q: this.id, n });
      return;
    }
    this.credits += n;
    if (tryAnswer) {
      const pending = this.tryPuts.shift();
      if (pending) {
        this.busy(-1);
        if (this.credits > 0 && this.putters.length === 0) {
          this.send(pending.bytes);
          pending.listener.accepted();
        } else {
          pending.listener.failed(new Full(this.maxsize, 0));
        }
      }
    } else {
      this.wanting = false;
    }
    while (this.credits > 0 && this.putters.length > 0) {
      const p = this.putters.shift() as PendingPut;
      this.busy(-1);
      this.send(p.bytes);
      p.listener.accepted();
    }
    if (this.putters.length > 0) this.askForCredits();
    this.scheduleSweep();
  }

  // ---- gets ----------------------------------------------------------------

  get(listener: GetListener<T>, timeout: number | undefined, prefetch = 1): Cancel | undefined {
    if (this.buffer.length > 0 && this.getters.length === 0) {
      this.deliver(this.buffer.shift() as Fetched, listener);
      return undefined;
    }
    if (this.failure) {
      listener.failed(this.failure);
      return undefined;
    }
    if (this.drained) {
      listener.ended();
      return undefined;
    }
    if (timeout === 0) {
      this.tryGets.push(listener);
      this.busy(1);
      this.link.send({ t: 'fetch', q: this.id, n: 1, try: true });
      return () => this.withdrawTry(this.tryGets, listener);
    }
    const node = this.getters.push({ listener, prefetch });
    this.busy(1);
    if (timeout !== undefined && timeout !== Infinity) {
      this.getters.expireAfter(node, timeout, this.scheduler, (g) => {
        this.busy(-1);
        this.afterGetterLeft();
        g.listener.failed(new Empty(timeout));
      });
    }
    this.askForItems();
    return () => {
      const withdrawn = this.withdraw(this.getters, node);
      if (withdrawn) this.afterGetterLeft();
      return withdrawn;
    };
  }

  private askForItems(): void {
    let window = 0;
    for (const g of this.getters.values()) window = Math.max(window, g.prefetch);
    const wanted = this.getters.length - 1 + window - this.fetching - this.buffer.length;
    if (wanted <= 0) return;
    this.fetching += wanted;
    this.link.send({ t: 'fetch', q: this.id, n: wanted });
  }

  private afterGetterLeft(): void {
    if (this.getters.length > 0 || this.fetching === 0) return;
    // Nobody waits here any more: withdraw what the owner has not sent yet.
    this.fetching = 0;
    this.link.send({ t: 'unfetch', q: this.id });
    this.scheduleSweep();
  }

  private onItems(items: Uint8Array[], tryAnswer: boolean): void {
    if (!tryAnswer) this.fetching = Math.max(0, this.fetching - items.length);
    for (const bytes of items) this.buffer.push({ bytes, tag: this.nextTag++ });
    if (tryAnswer) {
      const listener = this.tryGets.shift();
      if (listener) {
        this.busy(-1);
        const next = this.buffer.shift();
        if (next) this.deliver(next, listener);
        else if (this.drained) listener.ended();
        else listener.failed(new Empty(0));
      }
    }
    while (this.buffer.length > 0 && this.getters.length > 0) {
      const g = this.getters.shift() as PendingGet<T>;
      this.busy(-1);
      this.deliver(this.buffer.shift() as Fetched, g.listener);
    }
    if (this.getters.length > 0) this.askForItems();
    this.scheduleSweep();
  }

  private deliver(fetched: Fetched, listener: GetListener<T>): void {
    this.link.send({ t: 'ack', q: this.id, n: 1 });
    if (this.joinable) this.held.add(fetched.tag);
    let item: T;
    try {
      item = this.codec.decode(fetched.bytes) as T;
    } catch (error) {
      listener.failed(error as Error); // consumed, as in Python
      return;
    }
    listener.delivered(item, fetched.tag);
  }

  private onDrained(): void {
    this.drained = true;
    this.fetching = 0;
    if (this.buffer.length > 0) return;
    for (const g of this.getters.drain()) {
      this.busy(-1);
      g.listener.ended();
    }
  }

  // ---- tasks, queries, end and close ----------------------------------------

  requeue(deliveries: readonly Delivery<T>[]): void {
    if (deliveries.length === 0 || this.failure) return;
    for (const d of deliveries) this.held.delete(d.tag);
    this.link.send({
      t: 'requeue',
      q: this.id,
      items: deliveries.map((d) => this.codec.encode(d.item)),
      tags: deliveries.map((d) => d.tag),
    });
  }

  taskDone(tag?: number): void {
    const settled = tag ?? (this.held.values().next().value as number | undefined);
    if (settled === undefined || !this.held.has(settled)) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.held.delete(settled);
    if (!this.failure) this.link.send({ t: 'done', q: this.id, tags: [settled] });
  }

  qsize(): Promise<number> {
    return this.request('qsize').then((v) => v ?? 0);
  }

  end(): Promise<void> {
    return this.request('end').then(() => undefined);
  }

  join(release: () => void, fail: (error: Error) => void): Cancel {
    if (this.failure) {
      fail(this.failure);
      return () => false;
    }
    let pending = true;
    this.busy(1);
    const rid = this.caller.call(this.link, this.id, 'join', (reply) => {
      pending = false;
      this.calls.delete(rid);
      this.busy(-1);
      if (reply.error) fail(decodeError(reply.error));
      else release();
    });
    this.calls.add(rid);
    return () => {
      if (!pending) return false;
      pending = false;
      this.calls.delete(rid);
      this.caller.forget(rid);
      this.busy(-1);
      if (!this.failure) this.link.send({ t: 'uncall', q: this.id, rid });
      return true;
    };
  }

  /** Gives back credits and fetched items, withdraws requests, and waits until everything put is in. */
  close(): Promise<void> {
    if (this.failure) return Promise.resolve();
    this.giveBackBuffer();
    this.credits = 0;
    this.link.send({ t: 'detach', q: this.id });
    return this.request('flush').then(
      () => undefined,
      () => undefined,
    );
  }

  // ---- link events -----------------------------------------------------------

  /** A message from the owner about this queue. */
  receive(message: QueueResponse): void {
    switch (message.t) {
      case 'credit':
        return this.onCredit(message.n, message.try === true);
      case 'items':
        return this.onItems(message.items, message.try === true);
      case 'ended':
        return this.onEnded();
      case 'drained':
        return this.onDrained();
      case 'unknown':
        return this.lost(new ClosedError('queue', `the owner no longer serves queue ${this.id}`));
      case 'reply':
        return; // routed by the caller
    }
  }

  /** The link to the owner is gone: every waiting call rejects, later calls too. */
  lost(error: ClosedError): void {
    if (this.failure) return;
    this.failure = error;
    const putters = this.putters.drain();
    const getters = this.getters.drain();
    const tryPuts = this.tryPuts.drain();
    const tryGets = this.tryGets.drain();
    for (const p of putters) p.listener.failed(error);
    for (const p of tryPuts) p?.listener.failed(error);
    for (const g of getters) g.listener.failed(error);
    for (const g of tryGets) g?.failed(error);
    // Pending calls are failed by the caller, which watches the same link.
    if (this.waiting > 0) this.link.release();
    this.waiting = 0;
  }

  private onEnded(): void {
    this.putsRefused = true;
    if (this.credits > 0) this.link.send({ t: 'refund', q: this.id, n: this.credits });
    this.credits = 0;
    for (const p of this.putters.drain()) {
      this.busy(-1);
      p.listener.failed(new ClosedError('queue', 'queue has ended: no more puts'));
    }
  }

  // ---- internals -------------------------------------------------------------

  private refusal(): Error | undefined {
    if (this.failure) return this.failure;
    if (this.putsRefused) return new ClosedError('queue', 'queue has ended: no more puts');
    return undefined;
  }

  private request(op: CallOp): Promise<number | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.busy(1);
      const rid = this.caller.call(this.link, this.id, op, (reply) => {
        this.calls.delete(rid);
        this.busy(-1);
        if (reply.error) reject(decodeError(reply.error));
        else resolve(reply.value);
      });
      this.calls.add(rid);
    });
  }

  /**
   * Once per turn: unused credits go back to the owner when no put spent
   * any since the last sweep, and fetched items nobody waits for go back to
   * the front of the queue.
   */
  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    setImmediate(() => {
      this.sweepScheduled = false;
      if (this.failure) return;
      if (this.getters.length === 0 && this.tryGets.length === 0) this.giveBackBuffer();
      if (this.credits > 0 && this.putters.length === 0) {
        if (this.putSinceSweep) {
          this.putSinceSweep = false;
          this.scheduleSweep();
        } else {
          this.link.send({ t: 'refund', q: this.id, n: this.credits });
          this.credits = 0;
        }
      }
    });
  }

  private giveBackBuffer(): void {
    if (this.buffer.length === 0) return;
    this.link.send({ t: 'giveback', q: this.id, n: this.buffer.length });
    this.buffer.drain();
  }

  private withdraw<W>(list: WaitList<W>, node: WaitNode<W>): boolean {
    if (!list.remove(node)) return false;
    this.busy(-1);
    return true;
  }

  /** A non-blocking call cannot be taken back from the owner: its answer is just ignored. */
  private withdrawTry<W>(list: Deque<W | undefined>, entry: W): boolean {
    const entries = list.drain();
    const i = entries.indexOf(entry);
    if (i >= 0) entries[i] = undefined;
    for (const e of entries) list.push(e);
    if (i < 0) return false;
    this.busy(-1);
    return true;
  }

  /** Keeps the process alive while anything waits on the owner. */
  private busy(delta: number): void {
    if (this.failure) return;
    const before = this.waiting;
    this.waiting += delta;
    if (before === 0 && this.waiting > 0) this.link.hold();
    else if (before > 0 && this.waiting === 0) this.link.release();
  }
}
