import type { HandleKind } from './handle/handle-kinds.js';
import { JoinableQueue } from './joinable-queue.js';
import { kEndpoint, Queue } from './queue.js';
import { kInner, SimpleQueue } from './simple-queue.js';
import type { LocalQueueEndpoint } from './transport/queue/owner/local-queue-endpoint.js';
import type { QueueEndpoint } from './transport/queue/queue-endpoint.js';
import { RemoteQueueEndpoint } from './transport/queue/remote/remote-queue-endpoint.js';
import type { Runtime } from './transport/runtime.js';
import type { Address } from './wire/protocol/index.js';
import { whereAmI } from './handle/inspect.js';

export interface QueueDescriptor {
  class: 'Queue' | 'JoinableQueue' | 'SimpleQueue';
  id: string;
  maxsize: number;
  owner: Address;
  /** Keeps the queue served at its owner until this description is revived (or lost). */
  pin?: number;
  /** Where the owner runs, as users read it (`'pid 1234'`, `'pid 1234 thread 2'`): what `inspect` shows. */
  where?: string;
}

type AnyQueue = Queue<unknown> | SimpleQueue<unknown>;

/**
 * How a queue handle travels: as the queue's id and its owner's address.
 * The process that created a queue owns it and serves it from the moment
 * it is first passed on; a handle on a queue owned elsewhere passes on the
 * owner's address, so every holder talks to the owner directly. Each
 * runtime has one open handle object per queue, and a handle that comes
 * home is the owner's own object again.
 *
 * Every description pins the queue at its owner from the moment it is made
 * until the runtime it reaches has revived it (see `QueueBroker`), so a
 * queue whose owner object is dropped while a description is on its way is
 * still there when the description lands.
 */
export const queueKind: HandleKind<AnyQueue, QueueDescriptor, Runtime> = {
  name: 'queue',

  check() {
    // Any queue handle may travel, even a closed one: the receiver gets its own handle.
  },

  async export(handle, runtime) {
    const queue = handle instanceof SimpleQueue ? handle[kInner] : handle;
    const kind = handle instanceof SimpleQueue ? 'SimpleQueue' : handle instanceof JoinableQueue ? 'JoinableQueue' : 'Queue';
    const endpoint = queue[kEndpoint];
    if (endpoint instanceof RemoteQueueEndpoint) {
      const pin = await endpoint.pin();
      return describe(kind, endpoint.id, endpoint.maxsize, endpoint.owner, pin, endpoint.where);
    }
    const broker = runtime.queueBroker;
    const id = broker.serve(endpoint as LocalQueueEndpoint<unknown>, handle, !handle.closed);
    const pin = broker.pin(id);
    try {
      return describe(kind, id, endpoint.maxsize, await runtime.hub.address(), pin, whereAmI());
    } catch (error) {
      broker.unpin(id, pin);
      throw error;
    }
  },

  revive(d, runtime) {
    if (d.owner.id === runtime.id) return comeHome(d, runtime);
    const where = typeof d.where === 'string' ? d.where : undefined;
    const info = { id: d.id, maxsize: d.maxsize, joinable: d.class === 'JoinableQueue', owner: d.owner, where };
    return runtime.queueClient.revive(info, d.pin, (endpoint) => make(d.class, endpoint));
  },

  lost(d, runtime) {
    if (d.pin === undefined) return;
    if (d.owner.id === runtime.id) runtime.queueBroker.unpin(d.id, d.pin);
    else runtime.queueClient.unpin(d.owner, d.id, d.pin);
  },
};

function describe(
  kind: QueueDescriptor['class'],
  id: string,
  maxsize: number,
  owner: Address,
  pin: number | undefined,
  where: string | undefined,
): QueueDescriptor {
  const d: QueueDescriptor = pin === undefined ? { class: kind, id, maxsize, owner } : { class: kind, id, maxsize, owner, pin };
  if (where !== undefined) d.where = where;
  return d;
}

/** A handle back at its owner: the owner's own object (made again if the one it had was collected). */
function comeHome(d: QueueDescriptor, runtime: Runtime): AnyQueue {
  const broker = runtime.queueBroker;
  const own = broker.owner(d.id) ?? adoptNew(d, runtime);
  broker.unpin(d.id, d.pin);
  return own as AnyQueue;
}

function adoptNew(d: QueueDescriptor, runtime: Runtime): AnyQueue {
  const local = runtime.queueBroker.local(d.id);
  if (!local) throw new TypeError(`queue ${d.id} came home but this runtime does not own it`);
  const own = make(d.class, local);
  runtime.queueBroker.adoptOwner(d.id, own);
  return own;
}

function make(kind: QueueDescriptor['class'], endpoint: QueueEndpoint<unknown>): AnyQueue {
  if (kind === 'SimpleQueue') return new SimpleQueue(new Queue(undefined, endpoint));
  if (kind === 'JoinableQueue') return new JoinableQueue(undefined, endpoint);
  return new Queue(undefined, endpoint);
}
