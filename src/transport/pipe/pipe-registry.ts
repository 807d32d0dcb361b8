import type { Address, PipeDoneMsg, PipeLostMsg, PipeMsg, PipeRegisterMsg } from '../../wire/protocol/index.js';

interface Home {
  /** Where the end lives; undefined while it moves (or once it is lost or done). */
  at: Address | undefined;
  gen: number;
  /** It went to a process that exited holding it. */
  lost?: true;
  /** Lost: the runtime it had registered at, if it got that far (links from there may still carry its data). */
  lastAt?: string;
  /** It closed and its home forgot it: it will never move again, and its peer needs nothing more from it. */
  done?: true;
}

const final = (home: Home): boolean => home.lost === true || home.done === true;

/**
 * Where each end of the pipes created in this runtime lives, and after which
 * move: introduces the two homes to each other as ends arrive, and tells an
 * end's peer when the end was lost with a process that exited.
 *
 * A pipe is forgotten once both its ends are final — done (closed and
 * settled, `pdone`) or lost (`plost`): neither can move again, so no
 * introduction or loss can be news to anyone.
 */
export class PipeRegistry {
  private readonly homes = new Map<string, [Home, Home]>();

  /** `tell(home, message)` sends a registry answer to the runtime at `home`. */
  constructor(private readonly tell: (home: Address, message: PipeMsg) => void) {}

  /** How many pipes this registry keeps. */
  get size(): number {
    return this.homes.size;
  }

  /** A pipe created here: both ends live at `registry` for now. */
  add(pipe: string, registry: Address): void {
    this.homes.set(pipe, [
      { at: registry, gen: 0 },
      { at: registry, gen: 0 },
    ]);
  }

  /** An end arrived at its new home (or, without one, left its old home and is on its way). */
  registered(m: PipeRegisterMsg): void {
    const homes = this.homes.get(m.p);
    const moved = homes?.[m.e];
    if (!homes || !moved || m.gen < moved.gen || final(moved)) return; // news older than what the registry knows
    if (!m.home) {
      if (m.gen > moved.gen) Object.assign(moved, { at: undefined, gen: m.gen });
      return;
    }
    Object.assign(moved, { at: m.home, gen: m.gen });
    const peer = homes[1 - m.e] as Home;
    if (peer.lost) this.tell(m.home, gone(m.p, 1 - m.e, peer.lastAt));
    else if (peer.at) {
      this.tell(peer.at, { t: 'pwhere', p: m.p, e: m.e, home: m.home });
      this.tell(m.home, { t: 'pwhere', p: m.p, e: 1 - m.e, home: peer.at });
    }
  }

  /** An end went to a process that has exited: unless it moved on from there (or was done), its peer is told it is gone. */
  lost(m: PipeLostMsg): void {
    const homes = this.homes.get(m.p);
    const home = homes?.[m.e];
    // Moved on from that process (or news of an older move), or closed and settled there: not lost.
    if (!homes || !home || home.gen !== m.gen || final(home)) return;
    const lastAt = home.at?.id;
    Object.assign(home, { at: undefined, lost: true }, lastAt === undefined ? {} : { lastAt });
    const peer = homes[1 - m.e] as Home;
    if (final(peer)) this.homes.delete(m.p);
    else if (peer.at) this.tell(peer.at, gone(m.p, m.e, lastAt));
  }

  /** An end closed and its home forgot it: it is introduced to no one again, and the pipe goes once its peer is final too. */
  done(m: PipeDoneMsg): void {
    const homes = this.homes.get(m.p);
    const home = homes?.[m.e];
    if (!homes || !home || m.gen < home.gen || final(home)) return;
    Object.assign(home, { at: undefined, gen: m.gen, done: true });
    if (final(homes[1 - m.e] as Home)) this.homes.delete(m.p);
  }
}

function gone(pipe: string, end: number, lastAt: string | undefined): PipeMsg {
  return lastAt === undefined ? { t: 'pgone', p: pipe, e: end } : { t: 'pgone', p: pipe, e: end, at: lastAt };
}
