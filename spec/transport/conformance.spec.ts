/**
 * The conformance suites, unchanged, across real processes and threads:
 * handles on queues a child owns, and queues owned here while a child holds
 * a handle on them.
 */
import { joinableQueueConformance } from '../conformance/joinable-queue.suite.js';
import { pipeConformance } from '../conformance/pipe.suite.js';
import { queueConformance } from '../conformance/queue.suite.js';
import { simpleQueueConformance } from '../conformance/simple-queue.suite.js';
import { ChildCreatedPipes, ChildOwnedQueues, JoinableQueue, type Kind, Queue, SharedQueues, SimpleQueue } from '../support/transports.js';
import type { Runtime } from '../../src/transport/runtime.js';
import { memoryRuntimes, pass } from '../support/runtimes.js';

describe('in-memory transport: handles in a second runtime of this process', () => {
  /** A handle on `queue` in a fresh runtime joined in memory to the one that owns it. */
  const elsewhere = async <Q extends object>(queue: Q): Promise<Q> => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    return pass(queue, owner, holder);
  };
  queueConformance('Queue owned by another runtime', async (o) => elsewhere(new Queue(o)));
  queueConformance('JoinableQueue owned by another runtime', async (o) => elsewhere(new JoinableQueue(o)));
  joinableQueueConformance('owned by another runtime', async (o) => elsewhere(new JoinableQueue(o)));
  simpleQueueConformance('owned by another runtime', async () => elsewhere(new SimpleQueue()));
});

/**
 * Fork links carry their frames on the socket; the same suites run once
 * more with `RXMP_RINGS=on` (frames in shared-memory rings), which every
 * link made meanwhile follows, children's included.
 */
const VARIANTS: { kind: Kind; label: string; rings?: true }[] = [
  { kind: 'fork', label: 'fork' },
  { kind: 'fork', label: 'fork, frames in shared-memory rings (RXMP_RINGS=on)', rings: true },
  { kind: 'thread', label: 'thread' },
];

function ringsWhile(variant: { rings?: true }): void {
  if (!variant.rings) return;
  before(() => {
    process.env.RXMP_RINGS = 'on';
  });
  after(() => {
    delete process.env.RXMP_RINGS;
  });
}

for (const variant of VARIANTS) {
  const { kind } = variant;
  describe(`${variant.label} transport`, function () {
    this.timeout(60_000);
    ringsWhile(variant);

    describe(`handles on queues owned by a ${kind} child`, () => {
      const owners = new ChildOwnedQueues(kind);
      before(() => owners.start());
      after(() => owners.stop());
      queueConformance(`Queue owned by a ${kind} child`, (o) => owners.make({ kind: 'Queue', ...o }));
      queueConformance(`JoinableQueue owned by a ${kind} child`, (o) => owners.make({ kind: 'JoinableQueue', ...o }));
      joinableQueueConformance(`owned by a ${kind} child`, (o) => owners.make({ kind: 'JoinableQueue', ...o }));
      simpleQueueConformance(`owned by a ${kind} child`, () => owners.make({ kind: 'SimpleQueue' }));
    });

    describe(`queues owned here, shared with a ${kind} child`, () => {
      const shared = new SharedQueues(kind);
      queueConformance(`Queue shared with a ${kind} child`, (o) => shared.make(() => new Queue(o)));
      joinableQueueConformance(`shared with a ${kind} child`, (o) => shared.make(() => new JoinableQueue(o)));
      simpleQueueConformance(`shared with a ${kind} child`, () => shared.make(() => new SimpleQueue()));
    });
  });
}

for (const variant of VARIANTS) {
  const { kind } = variant;
  describe(`pipes created in a ${variant.label} child, both ends sent here`, function () {
    this.timeout(60_000);
    ringsWhile(variant);
    const pipes = new ChildCreatedPipes(kind);
    before(() => pipes.start());
    after(() => pipes.stop());
    pipeConformance(`created in a ${kind} child`, (options) => pipes.pipe(options));
  });
}
