/**
 * Two runtimes joined in memory, one owning a queue, the other talking to
 * it with hand-made messages on the real link (the owner's service sees
 * exactly what a peer could send), or holding real handles on it.
 */
import { exportValue } from '../../../src/process/handle-passing.js';
import type { QueueDescriptor } from '../../../src/queue-kind.js';
import type { Link } from '../../../src/transport/link/link.js';
import type { Runtime } from '../../../src/transport/runtime.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { settles } from '../../support/async.js';
import { memoryRuntimes, pass } from '../../support/runtimes.js';

/** The peer's end of the link to the owner, recording what the owner sends. */
export class RawPeer {
  private readonly seen: Message[] = [];
  private readonly wakers: (() => void)[] = [];
  /** Why the owner cut the link off, once it did (the owner side's close reason). */
  readonly dropped: Promise<Error | undefined>;

  constructor(
    readonly link: Link,
    ownerSide: Link,
    /** The queue's id. */
    readonly q: string,
    /** The pin of the description the peer got (its `attach` releases it). */
    readonly pin: number | undefined,
  ) {
    link.onMessage((message) => {
      this.seen.push(message);
      for (const wake of this.wakers.splice(0)) wake();
    });
    this.dropped = new Promise((resolve) => ownerSide.onClose((_, reason) => resolve(reason)));
  }

  send(message: Record<string, unknown>): void {
    this.link.send({ q: this.q, ...message } as unknown as Message);
  }

  /** Attaches as a real handle would, and waits for the owner's answer. */
  async attach(): Promise<Message> {
    this.send(this.pin === undefined ? { t: 'attach' } : { t: 'attach', pin: this.pin });
    return this.next('attached');
  }

  /** Every message of type `t` the owner sent so far. */
  all(t: Message['t']): Message[] {
    return this.seen.filter((m) => m.t === t);
  }

  /** The next message of type `t` not taken yet (waits for it). */
  async next(t: Message['t']): Promise<Message> {
    return settles(
      (async () => {
        for (;;) {
          const i = this.seen.findIndex((m) => m.t === t);
          if (i >= 0) return this.seen.splice(i, 1)[0] as Message;
          await new Promise<void>((resolve) => this.wakers.push(resolve));
        }
      })(),
      5000,
    );
  }

  /** Lets every message in flight both ways arrive (a memory link delivers on a later turn). */
  async settle(turns = 6): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A queue owned by a fresh runtime, and a raw peer on its link from a second one. */
export async function rawPeerOn(
  queue: object,
  [owner, other] = memoryRuntimes() as [Runtime, Runtime],
): Promise<{ owner: Runtime; other: Runtime; peer: RawPeer }> {
  const transfer = await exportValue(queue, owner);
  const d = transfer.handles[0]?.descriptor as QueueDescriptor;
  const link = other.hub.linkTo({ id: owner.id });
  const ownerSide = owner.hub.linkTo({ id: other.id });
  return { owner, other, peer: new RawPeer(link, ownerSide, d.id, d.pin) };
}

/** A real handle in a second runtime on a queue owned by a first one, plus the owner's side of their link. */
export async function remoteHandle<Q extends object>(
  queue: Q,
): Promise<{ owner: Runtime; other: Runtime; handle: Q; ownerSide: Link; otherSide: Link }> {
  const [owner, other] = memoryRuntimes() as [Runtime, Runtime];
  const handle = await pass(queue, owner, other);
  return { owner, other, handle, ownerSide: owner.hub.linkTo({ id: other.id }), otherSide: other.hub.linkTo({ id: owner.id }) };
}

/** Why `link` closed (waits for it). */
export function closeReason(link: Link): Promise<Error | undefined> {
  return settles(new Promise((resolve) => (link.closed ? resolve(undefined) : link.onClose((_, reason) => resolve(reason)))), 5000);
}
