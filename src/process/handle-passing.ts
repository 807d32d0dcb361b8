import { JoinableQueue } from '../joinable-queue.js';
import { kEndpoint, Queue } from '../queue.js';
import { kInner, SimpleQueue } from '../simple-queue.js';
import { QueueBroker } from '../transport/queue/owner/queue-broker.js';
import { LocalQueueEndpoint } from '../transport/queue/owner/local-queue-endpoint.js';
import { QueueClient } from '../transport/queue/remote/queue-client.js';
import { RemoteQueueEndpoint } from '../transport/queue/remote/remote-queue-endpoint.js';
import { Runtime } from '../transport/link/runtime.js';
import type { Address } from '../wire/protocol/index.js';
import { exportConnection, isConnection, reviveConnection, type ConnectionDescriptor } from '../transport/pipe/connection-handles.js';

/** Marks a plain object as a handle description (survives structured clone, unlike a symbol). */
export const HANDLE = '__rxmp_handle__';

type QueueKind = 'Queue' | 'JoinableQueue' | 'SimpleQueue';

export interface QueueDescriptor {
  [HANDLE]: 'queue';
  kind: QueueKind;
  id: string;
  maxsize: number;
  owner: Address;
}

export type HandleDescriptor = QueueDescriptor | ConnectionDescriptor;

/** Queues revived in this runtime, by id: one object per queue per runtime (as `close()` is per process). */
const revived = new Map<string, object>();

/**
 * Copies `value` for another runtime, replacing every queue and pipe end
 * found in arrays and plain objects with a description that runtime can
 * revive. A queue owned here starts being served by this runtime's broker;
 * a pipe end moves.
 */
export async function exportHandles(value: unknown): Promise<unknown> {
  if (value instanceof Queue || value instanceof SimpleQueue) return describeQueue(value);
  if (isConnection(value)) return exportConnection(value);
  if (Array.isArray(value)) return Promise.all(value.map(exportHandles));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = await exportHandles(v);
    return out;
  }
  return value;
}

/** `value` with every handle replaced by `null`: what must be cloneable besides the handles. */
export function withoutHandles(value: unknown): unknown {
  if (value instanceof Queue || value instanceof SimpleQueue || isConnection(value)) return null;
  if (Array.isArray(value)) return value.map(withoutHandles);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = withoutHandles(v);
    return out;
  }
  return value;
}

/** The pipe ends described in an exported value: on their way to whoever receives it. */
export function connectionsIn(value: unknown, found: ConnectionDescriptor[] = []): ConnectionDescriptor[] {
  if (Array.isArray(value)) for (const v of value) connectionsIn(v, found);
  else if (isPlainObject(value)) {
    if ((value as Record<string, unknown>)[HANDLE] === 'connection') found.push(value as unknown as ConnectionDescriptor);
    else for (const v of Object.values(value)) connectionsIn(v, found);
  }
  return found;
}

/** The inverse of `exportHandles`, in the receiving runtime. */
export function importHandles(value: unknown): unknown {
  if (isPlainObject(value)) {
    const kind = (value as Record<string, unknown>)[HANDLE];
    if (kind === 'queue') return reviveQueue(value as unknown as QueueDescriptor);
    if (kind === 'connection') return reviveConnection(value as unknown as ConnectionDescriptor);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = importHandles(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(importHandles);
  return value;
}

async function describeQueue(handle: Queue<unknown> | SimpleQueue<unknown>): Promise<QueueDescriptor> {
  const queue = handle instanceof SimpleQueue ? handle[kInner] : handle;
  const kind: QueueKind = handle instanceof SimpleQueue ? 'SimpleQueue' : handle instanceof JoinableQueue ? 'JoinableQueue' : 'Queue';
  const endpoint = queue[kEndpoint];
  if (endpoint instanceof RemoteQueueEndpoint) {
    // Passing on a handle we hold: the receiver talks to the owner directly.
    return { [HANDLE]: 'queue', kind, id: endpoint.id, maxsize: endpoint.maxsize, owner: endpoint.owner };
  }
  const id = QueueBroker.get().serve(endpoint as LocalQueueEndpoint<unknown>, handle);
  const owner = await Runtime.get().address();
  return { [HANDLE]: 'queue', kind, id, maxsize: endpoint.maxsize, owner };
}

function reviveQueue(d: QueueDescriptor): object {
  const runtime = Runtime.get();
  if (d.owner.id === runtime.id) {
    const own = QueueBroker.get().owner(d.id);
    if (!own) throw new TypeError(`queue ${d.id} came home but this runtime does not own it`);
    return own;
  }
  const known = revived.get(d.id);
  if (known) return known;
  const endpoint = QueueClient.get().endpoint<unknown>({
    id: d.id,
    maxsize: d.maxsize,
    joinable: d.kind === 'JoinableQueue',
    owner: d.owner,
  });
  const handle =
    d.kind === 'SimpleQueue'
      ? new SimpleQueue(new Queue(undefined, endpoint))
      : d.kind === 'JoinableQueue'
        ? new JoinableQueue(undefined, endpoint)
        : new Queue(undefined, endpoint);
  revived.set(d.id, handle);
  return handle;
}

/** Every handle on a queue owned elsewhere that this runtime revived (the child closes them at exit). */
export function revivedQueues(): Iterable<{ close(): Promise<void> }> {
  return revived.values() as Iterable<{ close(): Promise<void> }>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
