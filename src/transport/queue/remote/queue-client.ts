import { ClosedError } from '../../../errors.js';
import { encodeError } from '../../../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../../../wire/protocol/index.js';
import { asyncScheduler } from 'rxjs';
import type { Link } from '../../link/link.js';
import { RemoteQueueEndpoint, type Caller } from './remote-queue-endpoint.js';
import type { LinkHub } from '../../link/link-hub.js';

/** What a runtime needs to reach a queue owned elsewhere. */
export interface RemoteQueueInfo {
  readonly id: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly owner: Address;
}

/**
 * This runtime's side of every queue owned elsewhere: one endpoint per queue,
 * the routing of the owners' answers, and the calls waiting for a reply.
 * When a link closes, its endpoints and calls fail with `ClosedError`.
 */
export class QueueClient implements Caller {
  private readonly endpoints = new Map<string, RemoteQueueEndpoint<unknown>>();
  /** The public handle object standing on each queue here: one per queue per runtime (as `close()` is per process). */
  private readonly handles = new Map<string, { close(): Promise<void> }>();
  private readonly linkOf = new Map<string, Link>();
  private readonly calls = new Map<number, { link: Link; onReply: (reply: ReplyMsg) => void }>();

  constructor(private readonly hub: LinkHub) {
    hub.route(['credit', 'items', 'ended', 'drained', 'unknown'], (message) => {
      const m = message as QueueResponse & { q: string };
      this.endpoints.get(m.q)?.receive(m);
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
      for (const [id, endpoint] of this.endpoints) {
        if (this.linkOf.get(id) !== link) continue;
        endpoint.lost(gone);
      }
    });
  }

  /** The endpoint for a queue owned elsewhere (the same one each time, while its link lives). */
  endpoint<T>(info: RemoteQueueInfo): RemoteQueueEndpoint<T> {
    const known = this.endpoints.get(info.id);
    const knownLink = this.linkOf.get(info.id);
    if (known && knownLink && !knownLink.closed) return known as RemoteQueueEndpoint<T>;
    const link = this.hub.linkTo(info.owner);
    const endpoint = new RemoteQueueEndpoint<T>(info.id, info.owner, info.maxsize, info.joinable, asyncScheduler, link, this);
    this.endpoints.set(info.id, endpoint as RemoteQueueEndpoint<unknown>);
    this.linkOf.set(info.id, link);
    return endpoint;
  }

  /** The handle object revived here for queue `id`, if any. */
  handle(id: string): { close(): Promise<void> } | undefined {
    return this.handles.get(id);
  }

  remember(id: string, handle: { close(): Promise<void> }): void {
    this.handles.set(id, handle);
  }

  /** Every handle revived here (a child closes them before it exits). */
  revived(): Iterable<{ close(): Promise<void> }> {
    return this.handles.values();
  }

  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void): number {
    const rid = this.hub.rid();
    this.calls.set(rid, { link, onReply });
    link.send({ t: 'call', q, rid, op });
    return rid;
  }

  forget(rid: number): void {
    this.calls.delete(rid);
  }
}
