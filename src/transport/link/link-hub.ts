import { CHANNELS, publish } from '../../diagnostics.js';
import { AuthenticationError, ClosedError, ProtocolError } from '../../errors.js';
import type { Address, Message } from '../../wire/protocol/index.js';
import { checkMessage } from '../../wire/validate.js';
import type { Link } from './link.js';
import { Listener } from './listener.js';
import { MemoryLink } from './memory-link.js';
import { PortLink } from './port-link.js';
import { reportBug } from './report-bug.js';
import { SocketLink } from './socket-link.js';

export type Route = (message: Message, link: Link) => void;
export type LinkClosedWatcher = (link: Link, reason: Error | undefined) => void;

export interface LinkHubOptions {
  /** This runtime's id, unique among the runtimes that may ever meet. */
  id: string;
  /** The secret every runtime of this process tree proves before talking. */
  authkey: Uint8Array;
  /**
   * Whether this runtime may open a Unix-socket listener when another
   * runtime must reach it. Off for runtimes that only talk over links
   * handed to them (two runtimes joined in memory in a spec).
   * @default true
   */
  listen?: boolean;
}

/**
 * The links of one runtime: its id, the authkey of its process tree, its
 * listener (started on first need), one link per peer runtime, and the
 * routes that deliver incoming messages to the services. Each message type
 * has exactly one route.
 *
 * A message that breaks the protocol cuts off the link it came on (the
 * peer's fault); an exception thrown by a route for any other reason is a
 * bug here: it is reported as one, and the link goes on.
 */
export class LinkHub {
  readonly id: string;
  private readonly key: Buffer;
  private readonly mayListen: boolean;
  private listener: Listener | undefined;
  private listening: Promise<Listener> | undefined;
  private readonly byPeer = new Map<string, Link>();
  /** Every live link, including a second one to a peer (both sides may have connected). */
  private readonly live = new Set<Link>();
  private readonly routes = new Map<string, Route>();
  private readonly closeWatchers = new Set<LinkClosedWatcher>();
  private nextRid = 1;
  private closingFlag = false;

  constructor(options: LinkHubOptions) {
    this.id = options.id;
    this.key = Buffer.from(options.authkey);
    this.mayListen = options.listen ?? true;
  }

  /** The secret every runtime of this process tree proves before talking. */
  get authkey(): Buffer {
    return this.key;
  }

  /**
   * Resolves once no live link leads to a runtime whose id `matches` (a
   * child that exited: its sockets close a moment after its exit is seen),
   * or after `limitMs` at most (closing what is still open to it then).
   */
  whenGone(matches: (peerId: string) => boolean, limitMs = 2000): Promise<void> {
    const open = (): Link[] => [...this.live].filter((l) => l.peerId !== undefined && matches(l.peerId));
    const links = open();
    if (links.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Past the limit, links still open to a peer that is gone are closed here (their users see it gone).
      const timer = setTimeout(() => {
        for (const link of open()) link.fail(new ClosedError('runtime', `runtime ${link.peerId} is gone`));
        done();
      }, limitMs);
      const stop = this.watchLinks(() => {
        if (open().length === 0) done();
      });
      function done(): void {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }

  /** This runtime is hanging up or closing its links itself: links that close now did not lose their peer. */
  get closing(): boolean {
    return this.closingFlag;
  }

  /** Resolves once every link has written out what was sent on it. */
  async drainLinks(): Promise<void> {
    const links = [...this.live];
    for (const link of links) link.flush();
    await Promise.all(links.map((link) => link.drained()));
  }

  /** Every link delivers what its peer already wrote to shared memory (see `Link.readPending`). */
  readPending(): void {
    for (const link of [...this.live]) link.readPending();
  }

  /** Whether a link to (or from) the runtime `id` is open. */
  hasLinkTo(id: string): boolean {
    for (const link of this.live) if (link.peerId === id && !link.closed) return true;
    return false;
  }

  /**
   * Hangs up every socket link gracefully (a runtime about to exit): writes
   * out what is queued, ends this side, and waits until each peer has read
   * to the end and hung up too, or `limitMs` at most. A process that simply
   * exited could make a peer's next write fail, and that failure would cut
   * off data the peer had not read yet.
   */
  async hangUp(limitMs: number): Promise<void> {
    this.closingFlag = true;
    const links = [...this.live].filter((link) => link instanceof SocketLink);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, limitMs);
    });
    const hungUp = Promise.all(links.map((link) => link.close().then(() => link.whenClosed())));
    await Promise.race([hungUp, limit]);
    clearTimeout(timer);
  }

  /** Cuts off every link and stops listening (a runtime that is done, e.g. at the end of a spec). */
  async close(): Promise<void> {
    this.closingFlag = true;
    for (const link of [...this.live]) link.fail(new ClosedError('runtime', `runtime ${this.id} closed`));
    const listener = await this.listening?.catch(() => undefined);
    listener?.close();
  }

  /** Where this runtime can be reached, starting its listener if it has none yet. */
  async address(): Promise<Address> {
    if (!this.mayListen) return { id: this.id };
    if (!this.listening) {
      this.listening = Listener.start(this.key, (link) => this.adopt(link));
      void this.listening.then((listener) => this.onListening?.(listener.directory));
    }
    this.listener = await this.listening;
    return { id: this.id, path: this.listener.path };
  }

  /** Told the listener's private directory once it listens (a child tells its parent). */
  onListening: ((directory: string) => void) | undefined;

  /** The listener's private directory, once listening. */
  get listenerDirectory(): string | undefined {
    return this.listener?.directory;
  }

  /** Delivers messages of these types to `route`. A type that already has a route is an error. */
  route(types: readonly Message['t'][], route: Route): void {
    const taken = types.filter((t) => this.routes.has(t));
    if (taken.length > 0) throw new Error(`rxmp: messages of type ${taken.map((t) => JSON.stringify(t)).join(', ')} already have a route`);
    for (const t of types) this.routes.set(t, route);
  }

  /** Tells `watcher` about every link that closes. */
  watchLinks(watcher: LinkClosedWatcher): () => void {
    this.closeWatchers.add(watcher);
    return () => this.closeWatchers.delete(watcher);
  }

  /** A fresh request id, unique in this runtime. */
  rid(): number {
    return this.nextRid++;
  }

  /**
   * The link to the runtime at `address`: the one already open, or a new
   * connection to its listener (usable at once; sends wait for the handshake).
   */
  linkTo(address: Address): Link {
    const known = this.byPeer.get(address.id);
    if (known && !known.closed) return known;
    if (!address.path) throw new ClosedError('runtime', `no route to runtime ${address.id}: it is not listening`);
    const link = SocketLink.connect(address.path, this.key);
    this.adopt(link, address.id);
    return link;
  }

  /** Takes a link into service: says hello, routes its messages, forgets it when it closes. */
  adopt(link: Link, peerId?: string): void {
    this.live.add(link);
    // `rxmp:link:open` names the peer: now if it is known, else once its hello says who it is.
    let announced = false;
    const announce = (peer: string): void => {
      if (announced) return;
      announced = true;
      publish(CHANNELS.linkOpen, () => ({ peer, kind: linkKind(link) }));
    };
    if (peerId !== undefined) {
      link.peerId = peerId;
      this.byPeer.set(peerId, link);
      announce(peerId);
    }
    link.onMessage((message, from) => {
      try {
        checkMessage(message);
        if (message.t === 'hello') {
          if (!this.byPeer.has(message.id) || this.byPeer.get(message.id)?.closed) this.byPeer.set(message.id, from);
          announce(message.id);
          return;
        }
        const route = this.routes.get(message.t);
        if (!route) throw new ProtocolError(`no one here handles ${JSON.stringify(message.t)} messages`);
        route(message, from);
      } catch (error) {
        // A peer that breaks the protocol loses its link; everyone else goes on.
        if (error instanceof ProtocolError) from.fail(error);
        else
          reportBug(
            `handling a ${JSON.stringify((message as { t?: unknown }).t)} message from runtime ${from.peerId ?? '(unknown)'}`,
            error,
          );
      }
    });
    link.onClose((closed, reason) => {
      this.live.delete(closed);
      if (closed.peerId !== undefined && this.byPeer.get(closed.peerId) === closed) this.byPeer.delete(closed.peerId);
      if (reason instanceof ProtocolError || reason instanceof AuthenticationError) {
        process.emitWarning(`rxmp dropped a connection: ${reason.message}`, { type: 'RxmpWarning', code: reason.name });
      }
      publish(CHANNELS.linkClose, () => {
        const peer = closed.peerId;
        const kind = linkKind(closed);
        return reason === undefined ? { peer, kind } : { peer, kind, reason };
      });
      for (const watcher of this.closeWatchers) watcher(closed, reason);
    });
    link.send({ t: 'hello', id: this.id });
  }
}

/** What carries a link, as `rxmp:link:*` messages name it. */
function linkKind(link: Link): 'socket' | 'port' | 'memory' | 'other' {
  if (link instanceof SocketLink) return 'socket';
  if (link instanceof PortLink) return 'port';
  if (link instanceof MemoryLink) return 'memory';
  return 'other';
}
