import { firstValueFrom, type Subscription } from 'rxjs';
import { JoinableQueue, type Process, Queue, SimpleQueue } from '../../src/index.js';
import type { QueueRequest } from '../fixtures/queue-factory.js';
import { afterTest, startChild } from './children.js';

export type Kind = 'fork' | 'thread';

/**
 * The proxy side: queues owned by a child (fork or thread) and used from
 * this process through handles it sent back.
 */
export class ChildOwnedQueues {
  private requests: Queue<QueueRequest> | undefined;
  private child: Process | undefined;
  private subscription: Subscription | undefined;
  private readonly waiting: ((value: unknown) => void)[] = [];

  constructor(private readonly kind: Kind) {}

  async start(): Promise<void> {
    this.requests = new Queue<QueueRequest>();
    // Not tracked by reapChildren: it lives for the whole suite.
    const { Process } = await import('../../src/index.js');
    this.child = new Process({
      target: new URL('../fixtures/queue-factory.js', import.meta.url),
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

  async make<Q>(request: QueueRequest): Promise<Q> {
    const answer = new Promise<unknown>((resolve) => this.waiting.push(resolve));
    await this.requests?.put(request);
    const value = await answer;
    if (value && typeof value === 'object' && 'error' in value) throw (value as { error: unknown }).error;
    return value as Q;
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
