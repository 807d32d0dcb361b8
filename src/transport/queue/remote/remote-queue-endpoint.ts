import type { SchedulerLike } from 'rxjs';
import type { NOTHING } from '../../../core/queue/bounded-fifo.js';
import { ClosedError, ProtocolError } from '../../../errors.js';
import { fastClone } from '../../../wire/fast-clone.js';
import { whereAmI } from '../../../handle/inspect.js';
import { decodeError, encodeError, type ErrorInfo } from '../../../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../../../wire/protocol/index.js';
import type { Link } from '../../link/link.js';
import type { QueueEndpoint } from '../queue-endpoint.js';
import type { Cancel, Delivery, GetListener, PutListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';
import { RemoteConsumer } from './remote-consumer.js';
import { RemoteProducer } from './remote-producer.js';

/** What an endpoint needs from the runtime's queue client. */
export interface EndpointHost {
  /** Issues a call and routes its reply (request ids are per runtime). */
  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void, error?: ErrorInfo): number;
  forget(rid: number): void;
  /** The endpoint is done (closed, abandoned or lost): the runtime forgets it. */
  released(endpoint: RemoteQueueEndpoint<unknown>): void;
}

/**
 * A handle on a queue owned by another runtime: a producer half spending
 * credits, a consumer half taking from a fetch window, and calls answered by
 * the owner. Timeouts run here, on this side's scheduler. If the link to the
 * owner goes, every waiting call rejects `ClosedError`, and so do later ones.
 *
 * It attaches as soon as it exists, and ignores what the owner sends for its
 * queue until the owner answers that `attach`: anything before belonged to an
 * earlier handle of this runtime on the same queue.
 */
export class RemoteQueueEndpoint<T> implements QueueEndpoint<T>, RemoteContext {
  private lostWith: ClosedError | undefined;
  private waiting = 0;
  private sweepScheduled = false;
  private attached = false;
  private closedFlag = false;
  /** Where the owner runs, as users read it, if its description said (what `inspect` shows). */
  where: string | undefined;
  private readonly producer: RemoteProducer;
  private readonly consumer: RemoteConsumer<T>;

  constructor(
    readonly id: string,
    readonly owner: Address,
    readonly maxsize: number,
    readonly joinable: boolean,
    readonly scheduler: SchedulerLike,
    readonly link: Link,
    private readonly host: EndpointHost,
  ) {
    this.producer = new RemoteProducer(this);
    this.consumer = new RemoteConsumer<T>(this, joinable);
  }

  /** Closed (or abandoned): this endpoint will not serve calls again. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Tells the owner this handle exists (`pin`: the description it was revived from has landed). */
  announce(pin?: number): void {
    const word = this.consumer.claimWord();
    this.link.send({
      t: 'attach',
      q: this.id,
      where: whereAmI(),
      ...(pin === undefined ? {} : { pin }),
      ...(word === undefined ? {} : { word }),
    });
  }

  /** Pins the queue at its owner for a description of this handle about to leave; `undefined` if the owner is unreachable. */
  pin(): Promise<number | undefined> {
    return this.request('pin').catch(() => undefined);
  }

  /** A description revived here, or one sent from here that never arrived: its pin goes. */
  unpin(pin: number): void {
    if (!this.lostWith) this.link.send({ t: 'unpin', q: this.id, pin });
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

  tryGet(returnable?: boolean): T | typeof NOTHING {
    return this.consumer.tryGet(returnable);
  }

  get lastTag(): number {
    return this.consumer.lastTag;
  }

  get(listener: GetListener<T>, timeout: number | undefined, prefetch?: number, returnable?: boolean): Cancel | undefined {
    return this.consumer.get(listener, timeout, prefetch, returnable);
  }

  attach(prefetch: number): () => void {
    return this.consumer.attach(prefetch);
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    this.consumer.requeue(deliveries, failed);
  }

  attempts(tag: number): number {
    return this.consumer.attempts(tag);
  }

  taskDone(tag?: number): void {
    this.consumer.taskDone(tag);
  }

  settle(tag: number): void {
    this.consumer.settle(tag);
  }

  qsize(): Promise<number> {
    return this.request('qsize').then((v) => v ?? 0);
  }

  full(): Promise<boolean> {
    // Credits this handle holds are room for its own puts, whatever the owner counts.
    if (!this.lostWith && this.producer.canPutNow) return Promise.resolve(false);
    return this.request('full').then((v) => v === 1 && !this.producer.canPutNow);
  }

  end(error?: Error): Promise<boolean> {
    return this.request('end', error && encodeError(error)).then((v) => v === 1);
  }

  /** Set by the owner's `ended {error}` (see `QueueEndpoint.endError`). */
  endError: Error | undefined;

  join(release: () => void, fail: (error: Error) => void): Cancel {
    if (this.lostWith) {
      fail(this.lostWith);
      return () => false;
    }
    let pending = true;
    this.busy(1);
    const rid = this.host.call(this.link, this.id, 'join', (reply) => {
      pending = false;
      this.busy(-1);
      if (reply.error) fail(decodeError(reply.error));
      else release();
    });
    return () => {
      if (!pending) return false;
      pending = false;
      this.host.forget(rid);
      this.busy(-1);
      if (!this.lostWith) this.link.send({ t: 'uncall', q: this.id, rid });
      return true;
    };
  }

  unfinished(report: (open: number | undefined) => void): void {
    this.request('unfinished').then(
      (open) => report(open),
      () => report(undefined),
    );
  }

  /** Gives back credits and fetched items, withdraws requests, and waits until everything put is in. */
  close(): Promise<void> {
    if (this.lostWith || this.closedFlag) return Promise.resolve();
    this.closedFlag = true;
    this.consumer.close();
    this.producer.close();
    this.link.send({ t: 'detach', q: this.id });
    return this.request('flush').then(
      () => this.released(),
      () => this.released(),
    );
  }

  /** The owner has seen this handle go (or can no longer see anything): the runtime forgets it. */
  private released(): void {
    this.consumer.releaseWord();
    this.host.released(this as RemoteQueueEndpoint<unknown>);
  }

  /** Its handle was garbage-collected: detach without waiting, returning what nobody can finish now. */
  abandon(): void {
    if (this.lostWith || this.closedFlag) return;
    this.closedFlag = true;
    this.consumer.abandon();
    this.producer.close();
    this.link.send({ t: 'detach', q: this.id });
    this.host.released(this as RemoteQueueEndpoint<unknown>);
    // Its shared word is reused only once the owner has seen the detach.
    this.request('flush').then(
      () => this.consumer.releaseWord(),
      () => this.consumer.releaseWord(),
    );
  }

  /** A message from the owner about this queue. */
  receive(message: QueueResponse): void {
    if (message.t === 'unknown') return this.lost(new ClosedError('queue', `the owner no longer serves queue ${this.id}`));
    if (message.t === 'attached') {
      if (this.attached) throw new ProtocolError(`the owner of queue ${this.id} answered one attach twice`);
      this.attached = true;
      return this.consumer.onAttached(message.tag);
    }
    // Until the owner answers our attach, what comes for this queue was for an earlier handle.
    if (!this.attached) return;
    switch (message.t) {
      case 'credit':
        return this.producer.onCredit(message.n, message.try === true);
      case 'items':
        return this.consumer.onItems(message.tag, message.items, message.try === true, message.attempts);
      case 'unfetched':
        return this.consumer.onUnfetched(message.n);
      case 'ended':
        if (message.error) this.endError ??= decodeError(message.error);
        return this.producer.onEnded();
      case 'drained':
        return this.consumer.onDrained();
      case 'reply':
        return; // routed by the host
    }
  }

  /** The link to the owner is gone, or the owner no longer serves the queue (the host fails pending calls on the link). */
  lost(error: ClosedError): void {
    if (this.lostWith) return;
    this.lostWith = error;
    this.producer.lost(error);
    this.consumer.lost(error);
    if (this.waiting > 0) this.link.release();
    this.waiting = 0;
    this.released();
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

  private request(op: CallOp, error?: ErrorInfo): Promise<number | undefined> {
    if (this.lostWith) return Promise.reject(this.lostWith);
    return new Promise((resolve, reject) => {
      this.busy(1);
      this.host.call(
        this.link,
        this.id,
        op,
        (reply) => {
          this.busy(-1);
          if (reply.error) reject(decodeError(reply.error));
          else resolve(reply.value);
        },
        error,
      );
    });
  }
}
