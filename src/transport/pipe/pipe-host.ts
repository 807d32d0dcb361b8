import { ValueMessage, type PipeChannel } from '../../core/pipe/pipe-channel.js';
import { ClosedError } from '../../errors.js';
import { decodeError } from '../../wire/error-codec.js';
import { approximateSize } from '../../wire/message-codec.js';
import type { Address, PipeMsg } from '../../wire/protocol/index.js';
import type { Link } from '../link/link.js';
import type { LinkHub } from '../link/link-hub.js';
import { PipeRegistry } from './pipe-registry.js';
import type { RemoteWriter } from './remote-writer.js';

/** One pipe end living in this runtime while its peer lives (or may live) elsewhere. */
export interface HostedEnd {
  readonly pipe: string;
  readonly index: number;
  readonly registry: Address;
  /** How many times this end has moved (the registry ignores older news). */
  readonly gen: number;
  /** This end's reader, if it reads. */
  readonly inbound: PipeChannel | undefined;
  /** This end's writer toward its peer, if it writes. */
  readonly writer: RemoteWriter | undefined;
  /** Reader: messages received so far (by sequence number), and consumed by the application. */
  received: number;
  consumed: number;
  /** Reader: where the peer's writer lives (acks go there), once known. */
  writerLink: Link | undefined;
  /** Reader: the peer end is moving, so its old home closing is not the end of its stream. */
  peerMoving: boolean;
  /** The link this end last said hello on (its peer's home binds to it; `pmoving` follows it there). */
  helloLink: Link | undefined;
  /** The runtime that link reaches. */
  helloTo: string | undefined;
  /** The reader closed: later messages for it are answered with `pclosed`. */
  closed: boolean;
  /** Hellos on their way out (the link they go on is not chosen yet). */
  greeting: number;
  /**
   * The peer end was lost with a process that exited; `at` is the runtime it
   * had arrived at, if it had: links from there may still carry its data.
   */
  peerGone: { at: string | undefined } | undefined;
  /** Resolves once the peer's writer knows this reader closed (or can no longer be told). */
  closeAcknowledged: Promise<void>;
  /** Called when the runtime shuts down (a child about to exit): flushes and closes the end. */
  readonly close: () => Promise<void>;
}

const MESSAGES: readonly PipeMsg['t'][] = [
  'pdata', 'pend', 'pack', 'pclosed', 'pclosedok', 'pmoving', 'phello', 'preg', 'plost', 'pgone', 'pwhere',
];

const key = (pipe: string, index: number): string => `${pipe}#${index}`;

function brokenPipe(why: string): ClosedError {
  return new ClosedError('peer', `peer end is closed (broken pipe): ${why}`);
}

/**
 * This runtime's side of every pipe that spans runtimes: the ends it hosts,
 * the routing of data, acks and hellos between their homes, and the
 * registry of where each end lives for pipes created here.
 */
export class PipeHost {
  private readonly ends = new Map<string, HostedEnd>();
  /** Where the ends of the pipes created here live. */
  private readonly registry = new PipeRegistry((home, message) => this.where(home, message));
  private next = 1;

  constructor(private readonly hub: LinkHub) {
    hub.route(MESSAGES, (message, link) => this.receive(message as PipeMsg, link));
    hub.watchLinks((link) => this.linkClosed(link));
  }

  /** A new id for a pipe created here, with this runtime as its registry (both ends here for now). */
  async create(): Promise<{ pipe: string; registry: Address }> {
    const registry = await this.hub.address();
    const pipe = `${this.hub.id}/p${this.next++}`;
    this.registry.add(pipe, registry);
    return { pipe, registry };
  }

  /** Starts hosting an end here; its reader's progress is reported to the writer from now on. */
  host(
    end: Omit<HostedEnd, 'writerLink' | 'peerMoving' | 'helloLink' | 'helloTo' | 'closed' | 'closeAcknowledged' | 'greeting' | 'peerGone'>,
  ): HostedEnd {
    const hosted: HostedEnd = {
      ...end,
      writerLink: undefined,
      peerMoving: false,
      helloLink: undefined,
      helloTo: undefined,
      closed: false,
      greeting: 0,
      peerGone: undefined,
      closeAcknowledged: Promise.resolve(),
    };
    this.ends.set(key(end.pipe, end.index), hosted);
    if (hosted.inbound) {
      hosted.inbound.hooks = {
        consumed: (count) => {
          hosted.consumed += count;
          this.ack(hosted);
        },
        readerClosed: () => {
          hosted.closed = true;
          // Where the peer's writer may already be sending from; if nowhere yet, our hello will say we are closed.
          const link = hosted.writerLink ?? hosted.helloLink;
          if (!link || link.closed) return;
          // close() resolves only once the writer knows: its sends after that fail, none is dropped unseen.
          hosted.closeAcknowledged = new Promise((resolve) => {
            this.closeWaiters.set(key(hosted.pipe, hosted.index), { link, resolve });
          });
          link.send({ t: 'pclosed', p: hosted.pipe, e: hosted.index });
        },
      };
    }
    return hosted;
  }

  private readonly closeWaiters = new Map<string, { link: Link; resolve: () => void }>();

  /** Tells the registry that `end` lives here now (the registry then introduces it to its peer). */
  async register(end: HostedEnd): Promise<void> {
    const home = await this.hub.address();
    this.toRegistry(end.registry, { t: 'preg', p: end.pipe, e: end.index, gen: end.gen, home });
  }

  /**
   * `end` is leaving this runtime: its peer's home is told to hold on, and
   * this runtime stops routing to it.
   */
  release(end: HostedEnd): void {
    this.ends.delete(key(end.pipe, end.index));
    // On the link the peer's home bound to when this end said hello: it arrives after that hello.
    end.helloLink?.send({ t: 'pmoving', p: end.pipe, e: end.index });
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
  hosted(): HostedEnd[] {
    return [...this.ends.values()];
  }

  /** @internal What this host keeps (for specs): ends hosted, closes awaiting their acknowledgement, pipes whose registry this is. */
  held(): { ends: number; closing: number; pipes: number } {
    return { ends: this.ends.size, closing: this.closeWaiters.size, pipes: this.registry.size };
  }

  private ack(end: HostedEnd): void {
    end.writerLink?.send({ t: 'pack', p: end.pipe, e: end.index, received: end.received, consumed: end.consumed });
  }

  /** Introduces `end` to its peer's home, always over this runtime's own link to that home. */
  private async hello(end: HostedEnd, peerHome: Address): Promise<void> {
    end.greeting++;
    let home: Address;
    try {
      home = await this.hub.address();
    } finally {
      end.greeting--;
    }
    if (this.ends.get(key(end.pipe, end.index)) !== end) return; // it moved on meanwhile
    if (end.peerGone) return this.settleGone(end);
    const link = this.hub.linkTo(peerHome);
    end.helloLink = link;
    end.helloTo = peerHome.id;
    link.send({
      t: 'phello',
      p: end.pipe,
      e: end.index,
      home,
      received: end.received,
      consumed: end.consumed,
      ...(end.closed ? { closed: true as const } : {}),
    });
  }

  private receive(m: PipeMsg, link: Link): void {
    switch (m.t) {
      case 'pdata': {
        const end = this.ends.get(key(m.p, m.e));
        if (!end?.inbound || end.closed) {
          if (end?.closed) link.send({ t: 'pclosed', p: m.p, e: m.e });
          return; // not here (any more): the writer resends once the end's new home says hello
        }
        end.writerLink ??= link;
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
        end.writerLink ??= link;
        end.received = m.seq;
        end.inbound.acceptEnd(m.error && decodeError(m.error));
        this.ack(end);
        return;
      }
      case 'pack':
        this.ends.get(key(m.p, 1 - m.e))?.writer?.acked(m.received, m.consumed);
        return;
      case 'pclosed':
        this.ends.get(key(m.p, 1 - m.e))?.writer?.fail(brokenPipe('its reader closed'));
        link.send({ t: 'pclosedok', p: m.p, e: m.e });
        return;
      case 'pclosedok': {
        const waiter = this.closeWaiters.get(key(m.p, m.e));
        this.closeWaiters.delete(key(m.p, m.e));
        waiter?.resolve();
        return;
      }
      case 'pmoving': {
        const end = this.ends.get(key(m.p, 1 - m.e));
        // Only news from the home we are bound to counts; an older home's goodbye is stale.
        if (!end || end.writerLink !== link) return;
        end.writer?.hold();
        end.writerLink = undefined;
        end.peerMoving = true;
        end.helloLink = undefined; // our hello went to the home the peer is leaving
        end.helloTo = undefined;
        return;
      }
      case 'phello': {
        const end = this.ends.get(key(m.p, 1 - m.e));
        if (!end) return;
        if (m.closed) {
          end.writer?.fail(brokenPipe('its reader closed'));
          link.send({ t: 'pclosedok', p: m.p, e: m.e });
        }
        end.writer?.bind(link, m.received, m.consumed);
        end.writerLink = link;
        end.peerMoving = false;
        if (end.helloTo !== m.home.id) void this.hello(end, m.home);
        this.ack(end);
        return;
      }
      case 'preg':
        return this.registry.registered(m);
      case 'plost':
        return this.registry.lost(m);
      case 'pgone': {
        const end = this.ends.get(key(m.p, 1 - m.e));
        if (!end) return;
        end.peerGone = { at: m.at };
        end.peerMoving = false;
        this.settleGone(end);
        return;
      }
      case 'pwhere': {
        const end = this.ends.get(key(m.p, 1 - m.e));
        if (end) void this.hello(end, m.home);
        return;
      }
    }
  }

  /**
   * The peer end was lost: its reader here sees EOF and its writer a broken
   * pipe once nothing more can come from it. A link from the runtime it had
   * reached closes by itself after the data it carried (the process exited),
   * and a hello still on its way will find that runtime gone; until then, wait.
   */
  private settleGone(end: HostedEnd): void {
    if (!end.peerGone || end.greeting > 0) return;
    const open = (link: Link | undefined): boolean => link !== undefined && !link.closed;
    const { at } = end.peerGone;
    if (open(end.writerLink) || open(end.writer?.boundLink) || (at !== undefined && this.hub.hasLinkTo(at))) return;
    end.writer?.fail(brokenPipe('its process exited holding it'));
    end.inbound?.acceptEnd(undefined);
  }

  /** Sends a registry answer to `home` (handling it here when `home` is this runtime). */
  private where(home: Address, message: PipeMsg): void {
    if (home.id === this.hub.id) this.receive(message, undefined as unknown as Link);
    else this.hub.linkTo(home).send(message);
  }

  private toRegistry(registry: Address, message: PipeMsg): void {
    if (registry.id === this.hub.id) this.receive(message, undefined as unknown as Link);
    else this.hub.linkTo(registry).send(message);
  }

  /** A peer's home went away without saying its end moved: its reader sees EOF, its writer a broken pipe. */
  private linkClosed(link: Link): void {
    for (const [k, waiter] of this.closeWaiters) {
      if (waiter.link !== link) continue;
      this.closeWaiters.delete(k);
      waiter.resolve();
    }
    for (const end of this.ends.values()) {
      if (end.writer?.boundLink === link) end.writer.fail(brokenPipe("the peer's process is gone"));
      if (end.writerLink === link) {
        end.writerLink = undefined;
        if (!end.peerMoving) end.inbound?.acceptEnd(undefined);
      }
      if (end.helloLink === link) {
        end.helloLink = undefined;
        end.helloTo = undefined;
      }
      this.settleGone(end);
    }
  }
}
