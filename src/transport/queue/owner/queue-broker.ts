import { ClosedError } from '../../../errors.js';
import { encodeError } from '../../../wire/error-codec.js';
import { QUEUE_REQUESTS, type QueueRequest } from '../../../wire/protocol/queue.js';
import type { LinkHub } from '../../link/link-hub.js';
import type { Link } from '../../link/link.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';
import { QueueService } from './queue-service.js';

/** One queue this runtime shares. */
interface Served {
  readonly service: QueueService;
  readonly local: LocalQueueEndpoint<unknown>;
  /** The owner's own public object: held weakly, so that dropping it can release the queue. */
  owner: WeakRef<object> | undefined;
  /** Whether that object is still open (not closed). */
  ownerOpen: boolean;
  /** Which owner object the registry's note is about (one may be made again for a handle coming home). */
  generation: number;
  readonly stopWatchingClose: () => void;
}

/**
 * The queues this runtime owns and shares: requests from other runtimes are
 * routed to each queue's service; a link that closes is cleaned up in every
 * queue it used.
 *
 * Release rule: a shared queue is forgotten here (its service, its id, and
 * everything it holds) once all of these hold:
 * - the owner's own object is closed, or was garbage-collected;
 * - no handle in another runtime is attached (each attaches when revived and
 *   detaches when closed or collected, or its link closes), and no link's
 *   session still holds items got and not done, or a waiting `join`;
 * - no description of it is in flight: each export pins the queue until the
 *   runtime it went to has revived it (its `attach` names the pin), or the
 *   description is known lost (its receiver exited, or the link of the
 *   runtime that asked for the pin closed).
 * Nothing can reach such a queue any more; a later export of a closed owner
 * object serves it again under a new id.
 */
export class QueueBroker {
  private readonly served = new Map<string, Served>();
  private readonly ids = new WeakMap<LocalQueueEndpoint<unknown>, string>();
  private readonly collected = new FinalizationRegistry<{ id: string; generation: number }>((note) => this.ownerCollected(note));
  private next = 1;

  constructor(private readonly hub: LinkHub) {
    hub.route(QUEUE_REQUESTS, (message, link) => {
      const request = message as QueueRequest;
      const served = this.served.get(request.q);
      if (served) served.service.handle(request, link);
      else this.unserved(request, link);
    });
    hub.watchLinks((link) => {
      for (const served of [...this.served.values()]) served.service.linkClosed(link, hub.closing);
    });
  }

  /**
   * Starts serving `local` (once while it is served); returns its id.
   * `owner` is the public object other runtimes' handles stand for; `open`
   * whether it is still open.
   */
  serve(local: LocalQueueEndpoint<unknown>, owner: object, open: boolean): string {
    const known = this.ids.get(local);
    if (known !== undefined) return known;
    const id = `${this.hub.id}/q${this.next++}`;
    this.ids.set(local, id);
    local.sharedAs = id;
    const served: Served = {
      service: new QueueService(id, local, () => this.releaseIfUnused(id)),
      local,
      owner: undefined,
      ownerOpen: open,
      generation: 0,
      stopWatchingClose: local.onClose(() => {
        served.ownerOpen = false;
        this.releaseIfUnused(id);
      }),
    };
    this.served.set(id, served);
    this.watchOwner(served, id, owner);
    return id;
  }

  /** Pins queue `id` for a description the owner is sending (see the release rule). */
  pin(id: string): number | undefined {
    return this.served.get(id)?.service.pin();
  }

  /** The description of `pin` arrived here, at its owner, or never will arrive anywhere. */
  unpin(id: string, pin: number | undefined): void {
    if (pin !== undefined) this.served.get(id)?.service.unpin(pin);
  }

  /** The owner's own object for a queue id (a handle that came home), while it lives. */
  owner(id: string): object | undefined {
    return this.served.get(id)?.owner?.deref();
  }

  /** The state of a queue served here (to make its owner object again when the old one was collected). */
  local(id: string): LocalQueueEndpoint<unknown> | undefined {
    return this.served.get(id)?.local;
  }

  /** `owner` is the owner's object for queue `id` from now on (the last one was collected). */
  adoptOwner(id: string, owner: object): void {
    const served = this.served.get(id);
    if (!served) return;
    served.ownerOpen = true;
    this.watchOwner(served, id, owner);
  }

  /** How many queues are served now (the release rule's specs watch it). */
  get serving(): number {
    return this.served.size;
  }

  /** Sessions open over every served queue (the release rule's specs watch it). */
  get sessions(): number {
    let n = 0;
    for (const served of this.served.values()) n += served.service.sessionCount;
    return n;
  }

  private watchOwner(served: Served, id: string, owner: object): void {
    if (served.owner) this.collected.unregister(served);
    served.owner = new WeakRef(owner);
    served.generation++;
    this.collected.register(owner, { id, generation: served.generation }, served);
  }

  private ownerCollected(note: { id: string; generation: number }): void {
    const served = this.served.get(note.id);
    if (!served || served.generation !== note.generation) return;
    served.ownerOpen = false;
    this.releaseIfUnused(note.id);
  }

  private releaseIfUnused(id: string): void {
    const served = this.served.get(id);
    if (!served?.service.unused) return;
    if (served.ownerOpen && served.owner?.deref() !== undefined) return;
    this.served.delete(id);
    this.ids.delete(served.local);
    if (served.local.sharedAs === id) served.local.sharedAs = undefined;
    this.collected.unregister(served);
    served.stopWatchingClose();
    served.service.dispose();
  }

  /**
   * A request for a queue not served here (never, or no longer): a call is
   * answered (a `flush` has nothing left to wait for), a withdrawal has
   * nothing to withdraw, anything else learns the queue is unknown.
   */
  private unserved(request: QueueRequest, link: Link): void {
    switch (request.t) {
      case 'call':
        if (request.op === 'flush') link.send({ t: 'reply', rid: request.rid });
        else
          link.send({
            t: 'reply',
            rid: request.rid,
            error: encodeError(new ClosedError('queue', `the owner no longer serves queue ${request.q}`)),
          });
        return;
      case 'unwant':
      case 'unfetch':
      case 'refund':
      case 'uncall':
      case 'unpin':
      case 'detach':
        return;
      default:
        link.send({ t: 'unknown', q: request.q });
    }
  }
}
