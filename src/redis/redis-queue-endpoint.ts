import { randomUUID } from 'node:crypto';
import type { SchedulerLike } from 'rxjs';
import type { Cancel, Delivery, GetListener, PutListener } from '../core/listeners.js';
import type { NOTHING } from '../core/queue/bounded-fifo.js';
import { ClosedError } from '../errors.js';
import type { QueueEndpoint } from '../transport/queue/queue-endpoint.js';
import { decodeError, encodeError, type ErrorInfo } from '../wire/error-codec.js';
import { decodeMessage, encodeMessage } from '../wire/message-codec.js';
import { encodeEntry } from './entry-codec.js';
import type { RedisPort } from './port.js';
import { queueKeys, type QueueKeys } from './protocol.js';
import { RedisConnections } from './redis-connections.js';
import { RedisConsumer } from './redis-consumer.js';
import type { RedisContext } from './redis-context.js';
import { RedisProducer } from './redis-producer.js';
import { END, QSIZE } from './scripts.js';

export interface RedisEndpointOptions {
  readonly name: string;
  readonly url: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly heartbeat: number;
  readonly scheduler: SchedulerLike;
  readonly port: RedisPort;
}

/**
 * A handle on a queue kept on a Redis server (see `protocol.ts` for the
 * keys, the scripts and the invariants). A put always goes to the server
 * (`tryPut` never settles at once: a put resolves once the server holds the
 * item); a get settles at once only from the entries an attached stream
 * fetched ahead. Timeouts run here, on the queue's scheduler.
 */
export class RedisQueueEndpoint<T> implements QueueEndpoint<T>, RedisContext {
  readonly name: string;
  readonly url: string;
  readonly keys: QueueKeys;
  readonly consumer = randomUUID();
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly scheduler: SchedulerLike;
  readonly heartbeat: number;
  readonly connections: RedisConnections;
  private readonly producer: RedisProducer;
  private readonly consumerHalf: RedisConsumer<T>;
  /** Each waiting join: how it is released, how it fails. */
  private readonly joins = new Map<() => void, (error: Error) => void>();
  private requests = 0;
  private closing: Promise<void> | undefined;

  constructor(options: RedisEndpointOptions) {
    this.name = options.name;
    this.url = options.url;
    this.keys = queueKeys(options.name);
    this.maxsize = options.maxsize;
    this.joinable = options.joinable;
    this.scheduler = options.scheduler;
    this.heartbeat = options.heartbeat;
    this.connections = new RedisConnections(options.port, {
      url: this.url,
      keys: this.keys,
      consumer: this.consumer,
      heartbeat: this.heartbeat,
      onEvent: (message) => {
        if (message === 'ended') this.consumerHalf.onEnded();
      },
      onDrained: () => this.drained(),
      onLost: (error) => this.lost(error),
    });
    this.producer = new RedisProducer(this);
    this.consumerHalf = new RedisConsumer<T>(this, decodeEnd);
  }

  get endError(): Error | undefined {
    return this.consumerHalf.endError;
  }

  busyChanged(): void {
    this.watchJoins();
    if (this.connections.closed) return;
    this.connections.hold(this.producer.pending + this.consumerHalf.waiting + this.joins.size + this.requests > 0);
  }

  track<R>(work: Promise<R>): Promise<R> {
    this.requests++;
    this.busyChanged();
    return work.finally(() => {
      this.requests--;
      this.busyChanged();
    });
  }

  report(_error: unknown): void {
    // A background command (taskDone, a give-back) failed: the connection is gone, and the reaper
    // returns what this handle held once its heartbeat expires (at-least-once).
  }

  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    // Copied and encoded now: a value that cannot be throws SerializationError here, nothing enqueued.
    return this.producer.put(encodeEntry(item), listener, timeout);
  }

  tryPut(): boolean {
    return false;
  }

  tryGet(returnable?: boolean): T | typeof NOTHING {
    return this.consumerHalf.tryGet(returnable === true);
  }

  get lastTag(): number {
    return this.consumerHalf.lastTag;
  }

  get(listener: GetListener<T>, timeout: number | undefined, _prefetch?: number, returnable?: boolean): Cancel | undefined {
    return this.consumerHalf.get(listener, timeout, returnable === true);
  }

  attach(prefetch: number): () => void {
    return this.consumerHalf.attach(prefetch);
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    this.consumerHalf.requeue(deliveries, failed);
  }

  attempts(tag: number): number {
    return this.consumerHalf.attempts(tag);
  }

  settle(tag: number): void {
    this.consumerHalf.finish(tag, false);
  }

  taskDone(tag?: number): void {
    const done = tag ?? this.consumerHalf.oldest();
    if (done === undefined || !this.consumerHalf.has(done)) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.consumerHalf.finish(done, true);
  }

  qsize(): Promise<number> {
    return this.request((c) => c.cmd.run(QSIZE, [this.keys.items, this.keys.ahead], []) as Promise<number>);
  }

  async full(): Promise<boolean> {
    if (this.maxsize === Infinity) return false;
    if (this.producer.waiting) return true;
    return (await this.qsize()) >= this.maxsize;
  }

  end(error?: Error): Promise<boolean> {
    const how = error ? Buffer.concat([Buffer.from([1]), encodeMessage(encodeError(error))]) : '0';
    // Unused slots hold keys of the queue too: a declared key outside its slot is CROSSSLOT on a cluster.
    const keys = [this.keys.ended, this.keys.items, this.keys.items, this.keys.wake];
    return this.request((c) => c.cmd.run(END, keys, [how, this.keys.events])).then((r) => r === 1);
  }

  join(release: () => void, fail: (error: Error) => void): Cancel {
    let waiting = true;
    const done = (): void => {
      if (!waiting) return;
      waiting = false;
      this.joins.delete(done);
      this.busyChanged();
      release();
    };
    this.joins.set(done, (error) => {
      if (!waiting) return;
      waiting = false;
      this.joins.delete(done);
      fail(error);
    });
    this.busyChanged();
    // Subscribed (at connect) before it reads the count: a drain after the read is heard.
    this.connections
      .ready()
      .then((c) => c.cmd.get(this.keys.unfinished))
      .then(
        (open) => {
          if (Number(open ?? 0) <= 0) done();
        },
        (error: Error) => {
          if (!waiting) return;
          waiting = false;
          this.joins.delete(done);
          this.busyChanged();
          fail(error);
        },
      );
    return () => {
      if (!waiting) return false;
      waiting = false;
      this.joins.delete(done);
      this.busyChanged();
      return true;
    };
  }

  unfinished(report: (open: number | undefined) => void): void {
    this.request((c) => c.cmd.get(this.keys.unfinished)).then(
      (open) => report(Math.max(0, Number(open ?? 0))),
      () => report(undefined),
    );
  }

  close(): Promise<void> {
    this.closing ??= this.track(
      withinBound(
        (async () => {
          await this.producer.flush();
          await this.consumerHalf.leave();
        })(),
        CLOSE_WAIT_MS,
      ),
    ).finally(() => {
      this.connections.close();
      this.watchJoins();
    });
    return this.closing;
  }

  private joinWatch: ReturnType<typeof setInterval> | undefined;

  /**
   * While joins wait, the count is read again every heartbeat: a `drained`
   * published while the subscription was re-established is not missed.
   */
  private watchJoins(): void {
    if (this.joins.size > 0 && !this.joinWatch && !this.connections.closed) {
      this.joinWatch = setInterval(() => {
        const conns = this.connections.now;
        if (!conns) return;
        conns.cmd.get(this.keys.unfinished).then(
          (open) => {
            if (Number(open ?? 0) <= 0) this.drained();
          },
          () => undefined,
        );
      }, this.heartbeat);
      this.joinWatch.unref();
    } else if ((this.joins.size === 0 || this.connections.closed) && this.joinWatch) {
      clearInterval(this.joinWatch);
      this.joinWatch = undefined;
    }
  }

  private drained(): void {
    for (const done of [...this.joins.keys()]) done();
  }

  private lost(error: Error): void {
    this.producer.failAll(error);
    this.consumerHalf.failAll(error);
    for (const fail of [...this.joins.values()]) fail(error);
    this.busyChanged();
  }

  private request<R>(call: (c: NonNullable<RedisConnections['now']>) => Promise<R>): Promise<R> {
    if (this.connections.closed) return Promise.reject(new ClosedError('queue', 'queue handle is closed'));
    this.requests++;
    this.busyChanged();
    const conns = this.connections.now;
    const sent = conns ? call(conns) : this.connections.ready().then(call);
    return sent.finally(() => {
      this.requests--;
      this.busyChanged();
    });
  }
}

/**
 * How long `close()` waits for the server (its puts on their way, LEAVE).
 * A server that does not answer (frozen, or cut off with the connection
 * open: nothing fails until TCP gives up, minutes later) must not hold
 * `close()`: past this, the connections close, what was on its way rejects
 * `RedisError`, and the reaper gives back what this handle held.
 */
const CLOSE_WAIT_MS = 10_000;

/** `work`, or nothing once `ms` have passed. */
function withinBound(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

/** What `P:ended` holds: `0`, or `1` and the error it ended on. */
function decodeEnd(how: Buffer): Error | undefined {
  if (how.byteLength === 0 || how[0] !== 1) return undefined;
  try {
    return decodeError(decodeMessage(how.subarray(1)) as ErrorInfo);
  } catch {
    return new Error('the queue ended on an error that could not be decoded');
  }
}
