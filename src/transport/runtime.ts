import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { LinkHub } from './link/link-hub.js';
import { MemoryLink } from './link/memory-link.js';
import { PipeHost } from './pipe/pipe-host.js';
import { QueueBroker } from './queue/owner/queue-broker.js';
import { QueueClient } from './queue/remote/queue-client.js';

export interface RuntimeOptions {
  /** @default a fresh id (pid, thread id and randomness) */
  id?: string;
  /** The process tree's secret. @default 32 random bytes (a root process) */
  authkey?: Uint8Array;
  /** May open a Unix-socket listener (see `LinkHub`). @default true */
  listen?: boolean;
}

/**
 * The composition root: one per thread in a real program, as many as a spec
 * wants in one process. It holds the links and the services built on them —
 * the broker of the queues owned here, the client of queues owned elsewhere,
 * the host of pipe ends that span runtimes — and nothing else holds any of
 * them as module state.
 */
export class Runtime {
  private static current: Runtime | undefined;

  readonly hub: LinkHub;
  readonly queueBroker: QueueBroker;
  readonly queueClient: QueueClient;
  readonly pipeHost: PipeHost;

  constructor(options: RuntimeOptions = {}) {
    this.hub = new LinkHub({
      id: options.id ?? Runtime.newId(),
      authkey: options.authkey ?? randomBytes(32),
      listen: options.listen ?? true,
    });
    this.queueBroker = new QueueBroker(this.hub);
    this.queueClient = new QueueClient(this.hub);
    this.pipeHost = new PipeHost(this.hub);
  }

  get id(): string {
    return this.hub.id;
  }

  /** This thread's runtime, built on first use. */
  static get(): Runtime {
    Runtime.current ??= new Runtime();
    return Runtime.current;
  }

  /**
   * Installs this thread's runtime before anything used one (a child: the
   * id its parent chose, the authkey of its process tree).
   */
  static install(runtime: Runtime): Runtime {
    if (Runtime.current) throw new Error('the runtime of this thread is already running');
    Runtime.current = runtime;
    return runtime;
  }

  /** A fresh runtime id: readable pid and thread, plus randomness. */
  static newId(): string {
    return `${process.pid}.${threadId}.${randomBytes(6).toString('hex')}`;
  }

  /** Joins two runtimes of this process in memory, as if one had connected to the other. */
  static connect(a: Runtime, b: Runtime): void {
    const [toB, toA] = MemoryLink.pair();
    a.hub.adopt(toB, b.id);
    b.hub.adopt(toA, a.id);
  }

  /** Cuts off every link and stops listening. */
  close(): Promise<void> {
    return this.hub.close();
  }
}
