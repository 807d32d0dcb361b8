import { ClosedError } from '../../../errors.js';
import { encodeError, type ErrorInfo } from '../../../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../../../wire/protocol/index.js';
import { asyncScheduler } from 'rxjs';
import type { Link } from '../../link/link.js';
import { RemoteQueueEndpoint, type EndpointHost } from './remote-queue-endpoint.js';
import type { LinkHub } from '../../link/link-hub.js';

/** What a runtime needs to reach a queue owned elsewhere. */
export interface RemoteQueueInfo {
  readonly id: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly owner: Address;
  /** Where the owner runs, as users read it (see `QueueDescriptor.where`). */
  readonly where?: string | undefined;
}

/** The handle this runtime has on one queue owned elsewhere. */
interface Entry {
  readonly endpoint: RemoteQueueEndpoint<unknown>;
  /** Held weakly: a handle nobody references is collected, and then detaches. */
  readonly handle: WeakRef<object>;
}

/**
 * This runtime's side of every queue owned elsewhere: one handle per queue
 * (while it is open), the routing of the owners' answers, and the calls
 * waiting for a reply. When a link closes, its endpoints and calls fail with
 * `ClosedError`.
 *
 * A handle is forgotten here once it is closed (when its `close()` has
 * resolved), collected (it detaches then), or lost; the next description of
 * that queue revives a new one. Nothing here grows with the number of
 * queues a runtime ever used.
 */
export class QueueClient implements EndpointHost {
  private readonly entries = new Map<string, Entry>();
  private readonly calls = new Map<number, { link: Link; onReply: (reply: ReplyMsg) => void }>();
  private readonly collected = new FinalizationRegistry<RemoteQueueEndpoint<unknown>>((endpoint) => endpoint.abandon());

  constructor(private readonly hub: LinkHub) {
    hub.route(['attached', 'credit', 'items', 'unfetched', 'ended', 'drained', 'unknown'], (message) => {
      const m = message as QueueResponse & { q: string };
      this.entries.get(m.q)?.endpoint.receive(m);
    });
    hub.route(['reply'], (message) => {
      const reply = message as ReplyMsg;
      const call = this.calls.get(reply.rid);
      if (!call) return;
      this.calls.delete(reply.rid);
      call.onReply(reply);
    });
    hub.watchLinks((link, reason) => {
      const gone = new ClosedError('queue', "the queue's owner is gone (its link closed)", { cause: reason });
      for (const [rid, call] of this.calls) {
        if (call.link !== link) continue;
        this.calls.delete(rid);
        call.onReply({ t: 'reply', rid, error: encodeError(gone) });
      }
      for (const entry of [...this.entries.values()]) {
        if (entry.endpoint.link === link) entry.endpoint.lost(gone);
      }
    });
  }

  /**
   * The handle this runtime has on a queue owned elsewhere, or a new one
   * that `make` wraps around a fresh endpoint. Either way the description's
   * `pin` is released at the owner.
   */
  revive<H extends object>(info: RemoteQueueInfo, pin: number | undefined, make: (endpoint: RemoteQueueEndpoint<unknown>) => H): H {
    const known = this.entries.get(info.id);
    if (known) {
      const handle = known.handle.deref() as H | undefined;
      if (handle && !known.endpoint.closed && !known.endpoint.failure()) {
        if (pin !== undefined) known.endpoint.unpin(pin);
        return handle;
      }
      // Closing, or collected and not finalized yet: it detaches before the new handle attaches.
      known.endpoint.abandon();
      this.drop(known.endpoint);
    }
    const link = this.hub.linkTo(info.owner);
    const endpoint = new RemoteQueueEndpoint<unknown>(info.id, info.owner, info.maxsize, info.joinable, asyncScheduler, link, this);
    endpoint.where = info.where;
    endpoint.announce(pin);
    const handle = make(endpoint);
    this.entries.set(info.id, { endpoint, handle: new WeakRef(handle) });
    this.collected.register(handle, endpoint, endpoint);
    return handle;
  }

  /** A description of queue `id` sent from here never arrived: its pin goes (if the link that made it still lives). */
  unpin(owner: Address, id: string, pin: number): void {
    if (this.hub.hasLinkTo(owner.id)) this.hub.linkTo(owner).send({ t: 'unpin', q: id, pin });
  }

  /** Every open handle revived here (a child closes them before it exits). */
  *revived(): Iterable<{ close(): Promise<void> }> {
    for (const entry of this.entries.values()) {
      const handle = entry.handle.deref() as { close(): Promise<void> } | undefined;
      if (handle) yield handle;
    }
  }

  /** How many handles on queues owned elsewhere this runtime keeps now (the release rule's specs watch it). */
  get handles(): number {
    return this.entries.size;
  }

  // ---- EndpointHost -----------------------------------------------------------

  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void, error?: ErrorInfo): number {
    const rid = this.hub.rid();
    this.calls.set(rid, { link, onReply });
    link.send(error ? { t: 'call', q, rid, op, error } : { t: 'call', q, rid, op });
    return rid;
  }

  forget(rid: number): void {
    this.calls.delete(rid);
  }

  released(endpoint: RemoteQueueEndpoint<unknown>): void {
    this.drop(endpoint);
  }

  private drop(endpoint: RemoteQueueEndpoint<unknown>): void {
    if (this.entries.get(endpoint.id)?.endpoint !== endpoint) return;
    this.entries.delete(endpoint.id);
    this.collected.unregister(endpoint);
  }
}
