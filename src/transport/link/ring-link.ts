import type { PipeMessage } from '../../core/pipe/pipe-channel.js';
import { Link } from './link.js';
import { ProtocolError } from '../../errors.js';
import { RingPlane } from './ring-plane.js';

/**
 * A link whose messages may travel through shared-memory rings (see
 * `ring-plane`): a socket link between processes, a port link between
 * threads. Where the rings carry them, it writes through: a one-item put or
 * a pipe message goes into the ring at the call.
 */
export abstract class RingLink extends Link {
  protected abstract readonly plane: RingPlane;

  /**
   * The plane for this link: `writeOther` writes a frame (its header in front)
   * the other way (the socket or the port), `deliverPayload` takes a batch's bytes.
   */
  protected newPlane(
    writeOther: (frame: Uint8Array) => void,
    deliverPayload: (payload: Uint8Array) => void,
    frameHeader: number,
  ): RingPlane {
    return new RingPlane(
      {
        writeSocket: writeOther,
        deliver: deliverPayload,
        deliverMessage: (message) => {
          if (!this.failure) this.deliver([message]);
        },
        drained: () => this.releaseDrainWaiters(),
        fail: (error) => this.fail(new ProtocolError(error.message)),
      },
      frameHeader,
    );
  }

  override readPending(): void {
    this.plane.readNow();
  }

  override get writesThrough(): boolean {
    return this.plane.writesRing;
  }

  /**
   * Only while everything written before that it must follow has left this
   * side (nothing in the link but messages it may overtake, see `OVERTAKEN`;
   * nothing in the plane, no bytes waiting in the socket): a record must
   * not resolve its call while a frame it comes after (a large one on the
   * socket, or the switch to the ring itself) could still die with this side.
   */
  override tryPutThrough(q: string, item: unknown): boolean {
    return this.overtakable && !this.unwritten() && this.plane.tryPut(q, item);
  }

  override trySendThrough(p: string, e: number, seq: number, message: PipeMessage): boolean {
    return this.overtakable && !this.unwritten() && this.plane.trySend(p, e, seq, message);
  }
}
