import type { SchedulerLike } from 'rxjs';
import type { NOTHING } from '../../../core/queue/bounded-fifo.js';
import { ClosedError } from '../../../errors.js';
import { fastClone } from '../../../wire/fast-clone.js';
import { decodeError } from '../../../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../../../wire/protocol/index.js';
import type { Link } from '../../link/link.js';
import type { QueueEndpoint } from '../queue-endpoint.js';
import type { Cancel, Delivery, GetListener, PutListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';
import { RemoteConsumer } from './remote-consumer.js';
import { RemoteProducer } from './remote-producer.js';

/** Issues calls and routes their replies (one instance per runtime). */
export interface Caller {
  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void): number;
  forget(rid: number): void;
}

/**
 * A handle on a queue owned by another runtime: a producer half spending
 * credits, a consumer half taking from a fetch window, and calls answered by
 * the owner. Timeouts run here, on this side's scheduler. If the link to the
 * owner goes, every waiting call rejects `ClosedError`, and so do later ones.
 */
export class RemoteQueueEndpoint<T> implements QueueEndpoint<T>, RemoteContext {
  private lostWith: ClosedError | undefined;
  private waiting = 0;
  private sweepScheduled = false;
  private readonly producer: RemoteProducer;
  private readonly consumer: RemoteConsumer<T>;

  constructor(
    readonly id: string,
    readonly owner: Address,
    readonly maxsize: number,
    readonly joinable: boolean,
    readonly scheduler: SchedulerLike,
    readonly link: Link,
    private readonly caller: Caller,
  ) {
    this.producer = new RemoteProducer(this);
    this.consumer = new RemoteConsumer<T>(this, joinable);
  }

  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    const failure = this.lostWith;
    if (failure) {
      listener.failed(failure);
      return undefined;
    }
    return this.producer.put(fastClone(item), listener, timeout);
  }

  tryPut(item: T): boolean {
    if (this.lostWith || !this.producer.canPutNow) return false;
    return this.producer.tryPut(fastClone(item));
  }

  tryGet(): T | typeof NOTHING {
    return this.consumer.tryGet();
  }

  get lastTag(): number {
    return this.consumer.lastTag;
  }

  get(listener: GetListener<T>, timeout: number | undefined, prefetch?: number): Cancel | undefined {
    return this.consumer.get(listener, timeout, prefetch);
  }

  attach(prefetch: number): () => void {
    return this.consumer.attach(prefetch);
  }

  requeue(deliveries: readonly Delivery<T>[]): void {
    this.consumer.requeue(deliveries);
  }

  taskDone(tag?: number): void {
    this.consumer.taskDone(tag);
  }

  qsize(): Promise<number> {
    return this.request('qsize').then((v) => v ?? 0);
  }

  end(): Promise<void> {
    return this.request('end').then(() => undefined);
  }

  join(release: () => void, fail: (error: Error) => void): Cancel {
    if (this.lostWith) {
      fail(this.lostWith);
      return () => false;
    }
    let pending = true;
    this.busy(1);
    const rid = this.caller.call(this.link, this.id, 'join', (reply) => {
      pending = false;
      this.busy(-1);
      if (reply.error) fail(decodeError(reply.error));
      else release();
    });
    return () => {
      if (!pending) return false;
      pending = false;
      this.caller.forget(rid);
      this.busy(-1);
      if (!this.lostWith) this.link.send({ t: 'uncall', q: this.id, rid });
      return true;
    };
  }

  /** Gives back credits and fetched items, withdraws requests, and waits until everything put is in. */
  close(): Promise<void> {
    if (this.lostWith) return Promise.resolve();
    this.consumer.close();
    this.producer.close();
    this.link.send({ t: 'detach', q: this.id });
    return this.request('flush').then(
      () => undefined,
      () => undefined,
    );
  }

  /** A message from the owner about this queue. */
  receive(message: QueueResponse): void {
    switch (message.t) {
      case 'credit':
        return this.producer.onCredit(message.n, message.try === true);
      case 'items':
        return this.consumer.onItems(message.items, message.try === true);
      case 'ended':
        return this.producer.onEnded();
      case 'drained':
        return this.consumer.onDrained();
      case 'unknown':
        return this.lost(new ClosedError('queue', `the owner no longer serves queue ${this.id}`));
      case 'reply':
        return; // routed by the caller
    }
  }

  /** The link to the owner is gone (the caller fails pending calls on the same link). */
  lost(error: ClosedError): void {
    if (this.lostWith) return;
    this.lostWith = error;
    this.producer.lost(error);
    this.consumer.lost(error);
    if (this.waiting > 0) this.link.release();
    this.waiting = 0;
  }

  // ---- RemoteContext ----------------------------------------------------------

  failure(): ClosedError | undefined {
    return this.lostWith;
  }

  /** Keeps the process alive while anything waits on the owner. */
  busy(delta: number): void {
    if (this.lostWith) return;
    const before = this.waiting;
    this.waiting += delta;
    if (before === 0 && this.waiting > 0) this.link.hold();
    else if (before > 0 && this.waiting === 0) this.link.release();
  }

  sweepSoon(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    setImmediate(() => {
      this.sweepScheduled = false;
      if (this.lostWith) return;
      this.consumer.sweep();
      if (this.producer.sweep()) this.sweepSoon();
    });
  }

  private request(op: CallOp): Promise<number | undefined> {
    if (this.lostWith) return Promise.reject(this.lostWith);
    return new Promise((resolve, reject) => {
      this.busy(1);
      this.caller.call(this.link, this.id, op, (reply) => {
        this.busy(-1);
        if (reply.error) reject(decodeError(reply.error));
        else resolve(reply.value);
      });
    });
  }
}
