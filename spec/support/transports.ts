import { firstValueFrom, type Subscription } from 'rxjs';
import { type Connection, JoinableQueue, Process, Queue, SimpleQueue } from '../../src/index.js';
import type { PipeRequest } from '../fixtures/pipe-factory.js';
import type { QueueRequest } from '../fixtures/queue-factory.js';
import { afterTest, startChild } from './children.js';

export type Kind = 'fork' | 'thread';

/**
 * A child (fork or thread) that lives for a whole suite and creates objects
 * on request, sending them back through output$: queues it owns, or pipes
 * it is the registry of.
 */
class ChildFactory<Request> {
  private requests: Queue<Request> | undefined;
  private child: Process | undefined;
  private subscription: Subscription | undefined;
  private readonly waiting: ((value: unknown) => void)[] = [];

  constructor(
    private readonly fixture: string,
    private readonly kind: Kind,
  ) {}

  async start(): Promise<void> {
    this.requests = new Queue<Request>();
    this.child = new Process({
      target: new URL(`../fixtures/${this.fixture}.js`, import.meta.url),
      args: [this.requests],
      kind: this.kind,
    }).start();
    this.subscription = this.child.output$.subscribe((value) => this.waiting.shift()?.(value));
  }

  async stop(): Promise<void> {
    await this.requests?.end();
    if (this.child && (await this.child.join(10_000)) === null) {
      this.child.kill();
      await this.child.join();
    }
    this.subscription?.unsubscribe();
  }

  async make<T>(request: Request): Promise<T> {
    const answer = new Promise<unknown>((resolve) => this.waiting.push(resolve));
    await this.requests?.put(request);
    const value = await answer;
    // The factory's failure report is a plain object (a queue has an error() method of its own: it is an Observer).
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && 'error' in value) {
      throw (value as { error: unknown }).error;
    }
    return value as T;
  }
}

/** The handle side: queues owned by a child and used from this process. */
export class ChildOwnedQueues extends ChildFactory<QueueRequest> {
  constructor(kind: Kind) {
    super('queue-factory', kind);
  }
}

/** Pipes created in a child (its registry) whose two ends were sent here. */
export class ChildCreatedPipes extends ChildFactory<PipeRequest> {
  constructor(kind: Kind) {
    super('pipe-factory', kind);
  }

  override make<T>(request: PipeRequest): Promise<T> {
    return super.make<T>(request);
  }

  pipe<T>(request: PipeRequest = {}): Promise<[Connection<T>, Connection<T>]> {
    return this.make<[Connection<T>, Connection<T>]>(request);
  }
}

/**
 * The owner side: queues owned by this process, each with a child (fork or
 * thread) holding a handle on it while the test runs.
 */
export class SharedQueues {
  constructor(private readonly kind: Kind) {}

  async make<Q extends Queue<unknown> | SimpleQueue<unknown>>(create: () => Q): Promise<Q> {
    const q = create();
    const stop = new Queue<unknown>();
    const child = startChild('attach', { args: [q, stop], kind: this.kind });
    await firstValueFrom(child.output$);
    afterTest(() => stop.put('stop'));
    return q;
  }
}

export { JoinableQueue, Queue, SimpleQueue };
