import type { QueueRequest } from '../../../wire/protocol/index.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';
import type { LinkHub } from '../../link/link-hub.js';
import { QueueService } from './queue-service.js';

const REQUESTS: readonly QueueRequest['t'][] = [
  'put', 'want', 'unwant', 'refund', 'fetch', 'unfetch', 'ack', 'giveback', 'done', 'requeue', 'call', 'uncall', 'detach',
];

/**
 * The queues this runtime owns and shares: requests from other runtimes are
 * routed to each queue's service; a link that closes is cleaned up in every
 * queue it used.
 */
export class QueueBroker {
  private readonly services = new Map<string, QueueService>();
  private readonly ids = new WeakMap<LocalQueueEndpoint<unknown>, string>();
  private readonly owners = new Map<string, object>();
  private next = 1;

  constructor(private readonly hub: LinkHub) {
    hub.route(REQUESTS, (message, link) => {
      const request = message as QueueRequest;
      const service = this.services.get(request.q);
      if (service) service.handle(request, link);
      else link.send({ t: 'unknown', q: request.q });
    });
    hub.watchLinks((link) => {
      for (const service of this.services.values()) service.linkClosed(link);
    });
  }

  /** Starts serving `local` (once); returns its id. `owner` is the public object other runtimes' handles stand for. */
  serve(local: LocalQueueEndpoint<unknown>, owner: object): string {
    let id = this.ids.get(local);
    if (id === undefined) {
      id = `${this.hub.id}/q${this.next++}`;
      this.ids.set(local, id);
      this.services.set(id, new QueueService(id, local));
      this.owners.set(id, owner);
    }
    return id;
  }

  /** The owner's own object for a queue id (a handle that came home). */
  owner(id: string): object | undefined {
    return this.owners.get(id);
  }
}
