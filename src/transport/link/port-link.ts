import type { MessagePort } from 'node:worker_threads';
import { ProtocolError } from '../../errors.js';
import { RingLink } from './ring-link.js';
import { SharedWords } from './shared-words.js';
import { decodeBatch } from '../../wire/batch.js';
import { EXIT_RING_MS, RingPlane, ringsWanted } from './ring-plane.js';
import { writeAtExit } from './write-at-exit.js';
import type { Message } from '../../wire/protocol/index.js';

/**
 * From this size a batch's bytes are transferred rather than copied by the
 * port. Measured (an exact-size copy posted 20,000 times): at 128 B copying
 * takes 0.91 µs and transferring 1.03 µs; at 512 B 1.31 vs 1.06; at 8 KiB
 * 3.56 vs 1.82.
 */
const TRANSFER_BYTES = 512;

/**
 * A link over a worker_threads MessagePort (between a thread and its
 * parent): each side writes its frames to a shared-memory ring of its own
 * (see `ring-plane`: announced on the port, read by the peer from then on),
 * so a put or pipe message resolves once it is in shared memory and
 * survives its thread's `terminate()`; the port carries the announcement,
 * frames too large for a ring, and the close. With `RXMP_RINGS=off`, one
 * `postMessage` of one encoded batch per turn (or per frame, when a batch
 * is large).
 */
export class PortLink extends RingLink {
  private readonly mine = new SharedWords();
  private theirs: SharedWords | undefined;
  protected readonly plane: RingPlane;

  constructor(private readonly port: MessagePort) {
    super();
    this.plane = this.newPlane(
      (frame) => this.post(frame),
      (payload) => this.deliverPayload(payload),
      0,
    );
    // First on the port, before any batch: the memory the peer may read once this thread stopped.
    port.postMessage({ rxmpWords: this.mine.buffer });
    if (ringsWanted('threads')) {
      const ring = RingPlane.threadRing();
      port.postMessage({ rxmpRing: ring });
      this.plane.writeTo(ring);
    }
    port.on('message', (bytes: Uint8Array | { rxmpWords?: unknown; rxmpRing?: unknown }) => {
      if (this.failure) return;
      if (!(bytes instanceof Uint8Array)) return this.shared(bytes);
      const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // Once the peer writes to its ring, what comes on the port is a frame a marker in the ring stands for.
      if (this.plane.readsRing) this.plane.socketFrame(payload);
      else this.deliverPayload(payload);
    });
    port.on('close', () => {
      // What the peer wrote to its ring before it went (terminated, even) is still there: deliver it first.
      if (!this.failure) this.plane.drainAll();
      else this.plane.stop();
      this.closedBy(this.failure);
    });
    // A link must not keep its thread alive by itself; the work it carries does.
    port.unref();
    this.markReady();
  }

  /** Where this link's frames travel: through shared-memory rings both ways, or on the port. */
  get dataPlane(): 'rings' | 'port' {
    return this.plane.writesRing && this.plane.readsRing ? 'rings' : 'port';
  }

  /** The peer's shared memory: its words, and the ring it writes. */
  private shared(message: { rxmpWords?: unknown; rxmpRing?: unknown }): void {
    const { rxmpWords: words, rxmpRing: ring } = message;
    if (words instanceof SharedArrayBuffer && !this.theirs) this.theirs = new SharedWords(words);
    else if (ring instanceof SharedArrayBuffer) this.plane.readFrom(ring);
    else this.fail(new ProtocolError('a message on a thread link that is neither a batch nor its shared memory'));
  }

  private deliverPayload(payload: Uint8Array): void {
    if (this.failure) return;
    let batch: Message[];
    try {
      // As a Buffer, so that a Buffer sent arrives as one (the decoder makes binary values of the source's kind).
      batch = decodeBatch(payload);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.deliver(batch);
  }

  override get ownWords(): SharedWords {
    return this.mine;
  }

  override get peerWords(): SharedWords | undefined {
    return this.theirs;
  }

  private holds = 0;

  hold(): void {
    if (this.holds++ === 0) this.port.ref();
  }

  release(): void {
    if (--this.holds === 0) this.port.unref();
  }

  protected writeFrames(frames: Uint8Array[]): void {
    if (this.plane.writesRing) return this.plane.write(frames);
    for (const frame of frames) this.post(frame);
  }

  /** The thread is exiting: into the ring, waiting a little for the reader to make room (no event loop will run again). */
  protected override writeFramesAtExit(frames: Uint8Array[]): void {
    if (!this.plane.writesRing) return super.writeFramesAtExit(frames);
    this.plane.write(frames);
    if (!this.plane.flushAtExit(EXIT_RING_MS))
      writeAtExit(-1, [], `${this.plane.unsent} frames to a peer could not be written before exit`);
  }

  private post(frame: Uint8Array): void {
    // Exactly the bytes: a view into the encoder's buffer would make the port copy all of it.
    const bytes = new Uint8Array(frame.byteLength);
    bytes.set(frame);
    if (bytes.byteLength >= TRANSFER_BYTES) this.port.postMessage(bytes, [bytes.buffer]);
    else this.port.postMessage(bytes);
  }

  protected settledWrites(): boolean {
    return this.plane.unsent === 0; // postMessage hands a batch over synchronously; the ring may be full
  }

  protected abort(): void {
    this.plane.stop();
    this.port.close();
  }

  protected end(): void {
    this.port.close();
  }
}
