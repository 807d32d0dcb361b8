import { CHANNELS, publish } from '../../diagnostics.js';
import { ValueMessage } from '../../core/pipe/pipe-channel.js';
import type { PipeEndEffect, PipeEndEvent } from '../../core/pipe/pipe-end-events.js';
import { ackLink } from '../../core/pipe/pipe-end-state.js';
import { stepPipeEnd } from '../../core/pipe/pipe-end-step.js';
import { ClosedError } from '../../errors.js';
import { decodeError } from '../../wire/error-codec.js';
import { approximateSize } from '../../wire/message-codec.js';
import type { Address, PipeMsg } from '../../wire/protocol/index.js';
import type { Link } from '../link/link.js';
import type { LinkHub } from '../link/link-hub.js';
import type { PipeEnd } from './pipe-end.js';
import { PipeRegistry } from './pipe-registry.js';

const MESSAGES: readonly PipeMsg['t'][] = [
  'pdata',
  'pend',
  'pack',
  'pclosed',
  'pclosedok',
  'pmoving',
  'phello',
  'preg',
  'plost',
  'pdone',
  'pgone',
  'pwhere',
];

const key = (pipe: string, index: number): string => `${pipe}#${index}`;

function brokenPipe(why: string): ClosedError {
  return new ClosedError('peer', `peer end is closed (broken pipe): ${why}`);
}

type Event = PipeEndEvent<Link, Address>;

/**
 * This runtime's side of every pipe that spans runtimes: a router. It
 * carries the data plane itself (sequence numbers, the reader's progress,
 * the writers' windows) and feeds everything else that happens to an end —
 * hellos, moves, closes, losses, links closing — to that end's state
 * machine (`core/pipe/pipe-end-step.ts`), then carries out what the machine
 * says. It is also the registry of where each end lives, for the pipes
 * created here (see `wire/protocol/pipe.ts` for the conversation).
 */
export class PipeHost {
  private readonly ends = new Map<string, PipeEnd>();
  /** Where the ends of the pipes created here live. */
  private readonly registry = new PipeRegistry((home, message) => this.deliver(home, message));
  private next = 1;

  constructor(private readonly hub: LinkHub) {
    hub.route(MESSAGES, (message, link) => this.receive(message as PipeMsg, link));
    hub.watchLinks((link) => this.linkClosed(link));
  }

  /**
   * A pipe made here starts to span runtimes: a new id, with this runtime as
   * its registry (both ends here for now). Synchronous, so that an end
   * leaves at once; the registry's full address is filled in by `describe`.
   */
  share(first: PipeEnd, second: PipeEnd | undefined): void {
    const pipe = `${this.hub.id}/p${this.next++}`;
    const registry: Address = { id: this.hub.id };
    this.registry.add(pipe, registry);
    for (const end of [first, second]) {
      if (!end) continue;
      end.pipe = pipe;
      end.registry = registry;
    }
  }

  /** `address` as another runtime must see it: this runtime's own with its listener's path (which may take a moment to start). */
  describe(address: Address): Promise<Address> {
    return address.id === this.hub.id ? this.address() : Promise.resolve(address);
  }

  /** This runtime's address, kept once known (the registry hands it out without waiting). */
  private address(): Promise<Address> {
    if (this.self) return Promise.resolve(this.self);
    return this.hub.address().then((self) => (this.self = self));
  }

  private self: Address | undefined;

  /**
   * Starts hosting `end` here: one that arrived from another runtime, or one
   * whose peer just left (a reader closed before then tells the peer with
   * its first hello). Its reader's progress is reported to the writer from now on.
   */
  host(end: PipeEnd): void {
    this.ends.set(key(end.pipe as string, end.index), end);
    end.onClosed = () => this.run(end, { t: 'closed' });
    const inbound = end.inbound;
    if (inbound) {
      inbound.hooks = {
        consumed: (count) => {
          end.consumed += count;
          const link = ackLink(end.state);
          if (link) this.sendAck(end, link);
        },
        readerClosed: () => this.run(end, { t: 'readerClosed' }),
      };
    }
    this.run(end, { t: 'share', writes: end.outbound !== undefined, readerClosed: inbound?.readerClosed ?? false, closed: end.closed });
  }

  /** Tells the registry that `end` lives here now (the registry then introduces it to its peer). */
  async register(end: PipeEnd): Promise<void> {
    const home = await this.address();
    this.toRegistry(end.registry as Address, { t: 'preg', p: end.pipe as string, e: end.index, gen: end.gen, home });
  }

  /** `end` moves to another runtime: a peer's home it said hello to is told to hold on, and routing to it stops here. */
  leave(end: PipeEnd): void {
    this.run(end, { t: 'leave' });
  }

  /** Tells the registry that an end left this runtime on its `gen`-th move (it is in transit until it registers). */
  leftHome(pipe: string, index: number, registry: Address, gen: number): void {
    this.toRegistry(registry, { t: 'preg', p: pipe, e: index, gen });
  }

  /**
   * An end went to a child on its `gen`-th move and the child has exited.
   * Unless it moved on from there, it is lost: the registry tells its peer.
   */
  lostWith(pipe: string, index: number, registry: Address, gen: number): void {
    this.toRegistry(registry, { t: 'plost', p: pipe, e: index, gen });
  }

  /** Every end hosted here. */
  hosted(): PipeEnd[] {
    return [...this.ends.values()];
  }

  /** @internal What this host keeps (for specs): ends hosted, closes awaiting their acknowledgement, pipes whose registry this is. */
  held(): { ends: number; closing: number; pipes: number } {
    let closing = 0;
    for (const end of this.ends.values()) if (end.acknowledgeClose) closing++;
    return { ends: this.ends.size, closing, pipes: this.registry.size };
  }

  private receive(m: PipeMsg, link: Link): void {
    switch (m.t) {
      case 'pdata': {
        const end = this.ends.get(key(m.p, m.e));
        // Not here (any more): the writer resends once the end's new home says hello.
        if (!end?.inbound || !this.run(end, { t: 'data', link })) return;
        const raw = m.raw && new Set(m.raw);
        for (let i = 0; i < m.data.length; i++) {
          const seq = m.seq + i;
          if (seq <= end.received) continue; // resent: already here
          if (seq !== end.received + 1) break; // a gap: the rest is resent in order later
          end.received = seq;
          const data = m.data[i];
          end.inbound.accept(raw?.has(i) ? (data as Uint8Array) : new ValueMessage(data, approximateSize(data)));
        }
        return;
      }
      case 'pend': {
        const end = this.ends.get(key(m.p, m.e));
        if (!end?.inbound || m.seq !== end.received + 1) return;
        end.received = m.seq; // counted before the machine acknowledges it
        if (this.run(end, { t: 'streamEnd', link })) end.inbound.acceptEnd(m.error && decodeError(m.error));
        return;
      }
      case 'pack':
        this.ends.get(key(m.p, 1 - m.e))?.writer?.acked(m.received, m.consumed);
        return;
      case 'pclosed':
        // Only the writer itself answers: one that left with its end hears of the close at its next home.
        this.feed(m.p, 1 - m.e, { t: 'peerReaderClosed', link });
        return;
      case 'pclosedok':
        this.feed(m.p, m.e, { t: 'closeAcknowledged' });
        return;
      case 'pmoving':
        this.feed(m.p, 1 - m.e, { t: 'peerMoving', link });
        return;
      case 'phello':
        this.feed(m.p, 1 - m.e, {
          t: 'peerHello',
          link,
          home: m.home,
          closed: m.closed === true,
          received: m.received,
          consumed: m.consumed,
        });
        return;
      case 'preg':
        this.registry.registered(m);
        return;
      case 'plost':
        this.registry.lost(m);
        return;
      case 'pdone':
        this.registry.done(m);
        return;
      case 'pgone':
        this.feed(m.p, 1 - m.e, { t: 'peerGone', lastHome: m.at, lastHomeOpen: m.at !== undefined && this.hub.hasLinkTo(m.at) });
        return;
      case 'pwhere':
        this.feed(m.p, 1 - m.e, { t: 'peerWhere', home: m.home });
        return;
    }
  }

  /** Feeds `event` to end `index` of `pipe`, if it lives here. */
  private feed(pipe: string, index: number, event: Event): void {
    const end = this.ends.get(key(pipe, index));
    if (end) this.run(end, event);
  }

  /** Steps `end`'s machine and carries out its effects, in order; returns whether it said to take arrived data in. */
  private run(end: PipeEnd, event: Event): boolean {
    const { state, effects } = stepPipeEnd(end.state, event);
    end.state = state;
    let accepted = false;
    for (const effect of effects) {
      if (effect.t === 'accept') accepted = true;
      else this.carryOut(end, effect);
    }
    return accepted;
  }

  private carryOut(end: PipeEnd, effect: PipeEndEffect<Link, Address>): void {
    const pipe = end.pipe as string;
    switch (effect.t) {
      case 'accept':
        return;
      case 'ack':
        this.sendAck(end, effect.link);
        return;
      case 'tell':
        // `pclosedok` names the end whose reader closed: the peer.
        effect.link.send({ t: effect.what, p: pipe, e: effect.what === 'pclosedok' ? 1 - end.index : end.index });
        return;
      case 'bindWriter':
        end.writer?.bind(effect.link, effect.received, effect.consumed);
        return;
      case 'holdWriter':
        end.writer?.hold();
        return;
      case 'failWriter':
        end.writer?.fail(brokenPipe(effect.cause));
        // A reader that closed is an orderly end; anything else is a peer that went away.
        if (effect.cause !== 'its reader closed') {
          publish(CHANNELS.connectionDrop, () => ({ pipe, end: end.index, reason: effect.cause }));
        }
        return;
      case 'endReader':
        end.inbound?.acceptEnd(undefined);
        return;
      case 'awaitCloseAck':
        end.closeAcknowledged = new Promise((resolve) => {
          end.acknowledgeClose = resolve;
        });
        return;
      case 'closeAcknowledged':
        end.acknowledgeClose?.();
        end.acknowledgeClose = undefined;
        return;
      case 'hello': {
        const to = effect.to;
        this.address().then(
          (home) => this.run(end, { t: 'greeted', to, home }),
          () => this.run(end, { t: 'greeted', to, home: undefined }),
        );
        return;
      }
      case 'sendHello':
        this.sayHello(end, effect.to, effect.home, effect.closed);
        return;
      case 'watchWriter':
        void (end.writer?.whenDone() ?? Promise.resolve()).then(() => this.run(end, { t: 'writerDone' }));
        return;
      case 'forget':
        this.forget(end);
        return;
      case 'release':
        this.forget(end);
        this.toRegistry(end.registry as Address, { t: 'pdone', p: pipe, e: end.index, gen: end.gen });
        return;
    }
  }

  /** Stops routing to `end` here; a close still waiting for its acknowledgement needs none any more. */
  private forget(end: PipeEnd): void {
    const k = key(end.pipe as string, end.index);
    if (this.ends.get(k) === end) this.ends.delete(k);
    end.onClosed = undefined;
    end.acknowledgeClose?.();
    end.acknowledgeClose = undefined;
  }

  /** Introduces `end` to its peer's home, always over this runtime's own link to that home. */
  private sayHello(end: PipeEnd, to: Address, home: Address, closed: boolean): void {
    let link: Link;
    try {
      link = this.hub.linkTo(to);
    } catch {
      return; // no route to it (it does not listen): it reaches us instead, or its loss is reported
    }
    link.send({
      t: 'phello',
      p: end.pipe as string,
      e: end.index,
      home,
      received: end.received,
      consumed: end.consumed,
      ...(closed ? { closed: true as const } : {}),
    });
    this.run(end, { t: 'saidHello', to: to.id, link });
  }

  private sendAck(end: PipeEnd, link: Link): void {
    link.send({ t: 'pack', p: end.pipe as string, e: end.index, received: end.received, consumed: end.consumed });
  }

  /** Sends a registry answer to `home` (handling it here when `home` is this runtime). */
  private deliver(home: Address, message: PipeMsg): void {
    if (home.id === this.hub.id) {
      this.receive(message, undefined as unknown as Link);
      return;
    }
    // An end living here is known to the registry by id alone (see `share`): other runtimes need the path too.
    if (message.t === 'pwhere' && message.home.id === this.hub.id && this.self) message = { ...message, home: this.self };
    this.hub.linkTo(home).send(message);
  }

  private toRegistry(registry: Address, message: PipeMsg): void {
    this.deliver(registry, message);
  }

  /** A link closed: every end hosted here hears of it (its peer's home may be gone). */
  private linkClosed(link: Link): void {
    const runtime = link.peerId;
    const runtimeOpen = runtime !== undefined && this.hub.hasLinkTo(runtime);
    for (const end of this.ends.values()) this.run(end, { t: 'linkClosed', link, runtime, runtimeOpen });
  }
}
