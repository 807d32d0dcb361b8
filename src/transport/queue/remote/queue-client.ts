import { ClosedError } from '../../../errors.js';
import { encodeError } from '../../../wire/error-codec.js';
import type { Address, CallOp, QueueResponse, ReplyMsg } from '../../../wire/protocol/index.js';
import { asyncScheduler } from 'rxjs';
import type { Link } from '../../link/link.js';
import { RemoteQueueEndpoint, type Caller } from './remote-queue-endpoint.js';
import { Runtime } from '../../link/runtime.js';

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
  private static instance: QueueClient | undefined;

  static get(): QueueClient {
    QueueClient.instance ??= new QueueClient(Runtime.get());
    return QueueClient.instance;
  }

  private readonly endpoints = new Map<string, RemoteQueueEndpoint<unknown>>();
  private readonly linkOf = new Map<string, Link>();
  private readonly calls = new Map<number, { link: Link; onReply: (reply: ReplyMsg) => void }>();

  private constructor(private readonly runtime: Runtime) {
    runtime.route(['credit', 'items', 'ended', 'drained', 'unknown'], (message) => {
      const m = message as QueueResponse & { q: string };
      this.endpoints.get(m.q)?.receive(m);
    });
    runtime.route(['reply'], (message) => {
      const reply = message as ReplyMsg;
      const call = this.calls.get(reply.rid);
      if (!call) return;
      this.calls.delete(reply.rid);
      call.onReply(reply);
    });
    runtime.watchLinks((link, reason) => {
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
    const link = this.runtime.linkTo(info.owner);
    const endpoint = new RemoteQueueEndpoint<T>(info.id, info.owner, info.maxsize, info.joinable, asyncScheduler, link, this);
    this.endpoints.set(info.id, endpoint as RemoteQueueEndpoint<unknown>);
    this.linkOf.set(info.id, link);
    return endpoint;
  }

  call(link: Link, q: string, op: CallOp, onReply: (reply: ReplyMsg) => void): number {
    const rid = this.runtime.rid();
    this.calls.set(rid, { link, onReply });
    link.send({ t: 'call', q, rid, op });
    return rid;
  }

  forget(rid: number): void {
    this.calls.delete(rid);
  }
}
