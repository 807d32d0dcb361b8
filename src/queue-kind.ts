import type { HandleKind } from './handle/handle-kinds.js';
import { JoinableQueue } from './joinable-queue.js';
import { kEndpoint, Queue } from './queue.js';
import { kInner, SimpleQueue } from './simple-queue.js';
import type { LocalQueueEndpoint } from './transport/queue/owner/local-queue-endpoint.js';
import { RemoteQueueEndpoint } from './transport/queue/remote/remote-queue-endpoint.js';
import type { Runtime } from './transport/runtime.js';
import type { Address } from './wire/protocol/index.js';

export interface QueueDescriptor {
  class: 'Queue' | 'JoinableQueue' | 'SimpleQueue';
  id: string;
  maxsize: number;
  owner: Address;
}

type AnyQueue = Queue<unknown> | SimpleQueue<unknown>;

/**
 * How a queue handle travels: as the queue's id and its owner's address.
 * The process that created a queue owns it and serves it from the moment
 * it is first passed on; a handle on a queue owned elsewhere passes on the
 * owner's address, so every holder talks to the owner directly. Each
 * runtime has one handle object per queue, and a handle that comes home is
 * the owner's own object again.
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
      return { class: kind, id: endpoint.id, maxsize: endpoint.maxsize, owner: endpoint.owner };
    }
    const id = runtime.queueBroker.serve(endpoint as LocalQueueEndpoint<unknown>, handle);
    return { class: kind, id, maxsize: endpoint.maxsize, owner: await runtime.hub.address() };
  },

  revive(d, runtime) {
    if (d.owner.id === runtime.id) {
      const own = runtime.queueBroker.owner(d.id);
      if (!own) throw new TypeError(`queue ${d.id} came home but this runtime does not own it`);
      return own as AnyQueue;
    }
    const client = runtime.queueClient;
    const known = client.handle(d.id);
    if (known) return known as AnyQueue;
    const endpoint = client.endpoint<unknown>({ id: d.id, maxsize: d.maxsize, joinable: d.class === 'JoinableQueue', owner: d.owner });
    const handle =
      d.class === 'SimpleQueue'
        ? new SimpleQueue(new Queue(undefined, endpoint))
        : d.class === 'JoinableQueue'
          ? new JoinableQueue(undefined, endpoint)
          : new Queue(undefined, endpoint);
    client.remember(d.id, handle);
    return handle;
  },
};
