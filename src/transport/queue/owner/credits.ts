import type { BoundedFifo, CreditWaiter } from '../../../core/queue/bounded-fifo.js';
import { ProtocolError } from '../../../errors.js';
import type { Link } from '../../link/link.js';
import type { Session } from './session.js';

type Stored = unknown;

/**
 * The producing half of the queue protocol at the owner: credits are slots
 * reserved in the FIFO for one link's producer (so its puts never wait
 * here); a put spends them, a refund returns them, and a want waits in line
 * with the owner's own putters.
 */
export class Credits {
  constructor(
    private readonly queue: string,
    private readonly fifo: BoundedFifo<Stored>,
  ) {}

  put(s: Session<Stored>, items: unknown[]): void {
    if (items.length > s.credits)
      throw new ProtocolError(`put of ${items.length} items into queue ${this.queue} with ${s.credits} credits`);
    s.credits -= items.length;
    // Every credit is a slot reserved in the FIFO, so each commit finds its reservation.
    for (const item of items) this.fifo.commit(item);
  }

  refund(s: Session<Stored>, n: number): void {
    if (n > s.credits) {
      // Credits the owner voided at detach may still come back from a handle that closed.
      if (s.attached) throw new ProtocolError(`refund of ${n} credits to queue ${this.queue} from a link holding ${s.credits}`);
      n = s.credits;
    }
    s.credits -= n;
    this.fifo.refund(n);
  }

  want(s: Session<Stored>, link: Link, n: number, tryOnly: boolean): void {
    if (this.fifo.ended) {
      // Its handle may not have heard of the end yet (it attached before, and put nothing).
      link.send({ t: 'ended', q: this.queue });
      return;
    }
    const waiting = s.creditRequest;
    if (!tryOnly && waiting?.linked) {
      // One request in line per link: it just asks for more.
      (waiting.waiter as CreditWaiter).remaining += n;
      return;
    }
    const waiter: CreditWaiter = {
      remaining: n,
      granted: (slots) => {
        if (!tryOnly && waiter.remaining === 0) s.creditRequest = undefined;
        s.credits += slots;
        // Grants made within one turn fold into one credit message.
        if (tryOnly) link.send({ t: 'credit', q: this.queue, n: slots, try: true });
        else link.sendCount('credit', this.queue, slots);
      },
    };
    const ticket = this.fifo.want(waiter, tryOnly);
    if (ticket) s.creditRequest = ticket;
  }
}
