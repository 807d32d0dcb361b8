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
import { expect } from 'chai';
import { PortLink } from '../../src/transport/link/port-link.js';
import { SocketLink } from '../../src/transport/link/socket-link.js';
import { Runtime } from '../../src/transport/runtime.js';
import { memoryRuntimes, pass } from '../support/runtimes.js';

describe('in-memory transport: handles in a second runtime of this process', () => {
  /** A handle on `queue` in a fresh runtime joined in memory to the one that owns it. */
  const elsewhere = async <Q extends object>(queue: Q): Promise<Q> => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    return pass(queue, owner, holder);
  };
  // No child can reach a runtime joined in memory: the cases with a child run on the real transports below.
  const inMemory = { children: false };
  queueConformance('Queue owned by another runtime', async (o) => elsewhere(new Queue(o)), inMemory);
  queueConformance('JoinableQueue owned by another runtime', async (o) => elsewhere(new JoinableQueue(o)), inMemory);
  joinableQueueConformance('owned by another runtime', async (o) => elsewhere(new JoinableQueue(o)));
  simpleQueueConformance('owned by another runtime', async () => elsewhere(new SimpleQueue()));
});

/**
 * Links to fork children and to thread children carry their frames in
 * shared-memory rings; the same suites run once more on the other data
 * plane, `RXMP_RINGS=off` (frames on the socket or the port: the fallback
 * where the addon cannot load), which every link made meanwhile follows,
 * children's included.
 */
const VARIANTS: { kind: Kind; label: string; socket?: true; env?: string }[] = [
  { kind: 'fork', label: 'fork (shared-memory rings)' },
  { kind: 'fork', label: 'fork, frames on the socket (RXMP_RINGS=off)', socket: true, env: 'off' },
  { kind: 'thread', label: 'thread (shared-memory rings)' },
  { kind: 'thread', label: 'thread, frames on the port (RXMP_RINGS=off)', socket: true, env: 'off' },
];

function ringsWhile(variant: { env?: string }): void {
  const wanted = variant.env;
  if (!wanted) return;
  before(() => {
    process.env.RXMP_RINGS = wanted;
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
      const fallback = kind === 'fork' ? 'socket' : 'port';
      it(`the link to the child carries its frames ${variant.socket ? `on the ${fallback}` : 'in shared-memory rings'}`, async () => {
        const q = (await owners.make({ kind: 'Queue' })) as Queue<number>;
        await q.put(1);
        expect(await q.get()).to.equal(1);
        const planes = linksOf(kind).map((link) => link.dataPlane);
        expect(planes).to.not.be.empty;
        expect(new Set(planes)).to.deep.equal(new Set([variant.socket ? fallback : 'rings']));
      });
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

/** This runtime's links to processes (sockets) or to threads (ports) it talks to. */
function linksOf(kind: Kind): (SocketLink | PortLink)[] {
  const live = (Runtime.get().hub as unknown as { live: Set<unknown> }).live;
  const type = kind === 'fork' ? SocketLink : PortLink;
  return [...live].filter((link): link is SocketLink | PortLink => link instanceof type);
}
