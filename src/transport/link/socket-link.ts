import net from 'node:net';
import { AuthenticationError, ProtocolError } from '../../errors.js';
import { FrameDecoder } from '../../wire/framing.js';
import { ANSWER_BYTES, DIGEST_BYTES, digest, GREETING_BYTES, greeting, nonce, readGreeting, verify } from '../../wire/handshake.js';
import { Deque } from '../../core/collections/deque.js';
import { decodeBatch } from '../../wire/batch.js';
import { FRAME_HEADER } from '../../wire/framing.js';
import type { LinkOptions } from './link.js';
import { RingLink } from './ring-link.js';
import { isControl, RingHandshake } from './ring-handshake.js';
import { EXIT_RING_MS, type RingPlane, ringsWanted } from './ring-plane.js';
import { unwrittenBytes, writeAtExit } from './write-at-exit.js';

/** How long a peer may take to complete the handshake, either way, before it is cut off. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface SocketLinkOptions extends LinkOptions {
  /** How long the handshake may take before the link fails (default `HANDSHAKE_TIMEOUT_MS`). */
  handshakeTimeoutMs?: number;
}
const ACCEPTED = 1;
const REFUSED = 0;

/**
 * A link over a Unix domain socket. The two ends first prove the authkey to
 * each other (see `wire/handshake`); only then are frames read. A frame that
 * is malformed, truncated or over the size limit drops this one connection
 * with a `ProtocolError`.
 */
export class SocketLink extends RingLink {
  protected override readonly frameHeader = FRAME_HEADER;
  private readonly decoder: FrameDecoder;
  private readonly handshakeTimeoutMs: number;
  private unsettled = 0;
  private holds = 0;
  /** What ended the connection, when it was not `fail`. */
  private transportError: Error | undefined;
  /** The shared-memory data plane, once both sides switched to it (see `ring-plane`). */
  protected readonly plane: RingPlane;
  /** How the two sides agree on the rings. */
  private readonly handshake: RingHandshake;

  private constructor(
    private readonly socket: net.Socket,
    options: SocketLinkOptions,
  ) {
    super(options);
    this.decoder = new FrameDecoder(this.maxFrame);
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    socket.setNoDelay?.(true);
    socket.unref();
    socket.on('error', (error) => {
      this.transportError ??= error;
    });
    this.plane = this.newPlane(
      (frame) => this.writeSocket(frame),
      (payload) => this.deliverPayload(payload),
      FRAME_HEADER,
    );
    this.handshake = new RingHandshake(this.plane, (frame) => this.writeSocket(frame), FRAME_HEADER);
    socket.on('close', () => {
      // What the peer wrote to the ring before it went is still there: deliver it first.
      if (!this.failure) this.plane.drainAll();
      else this.plane.stop();
      this.closedBy(this.failure ?? this.transportError);
    });
  }

  /** Connects to a listener at `path` and authenticates both ways with `authkey`. */
  static connect(path: string, authkey: Uint8Array, options: SocketLinkOptions = {}): SocketLink {
    const link = new SocketLink(net.connect(path), options);
    link.clientHandshake(authkey);
    return link;
  }

  /** Serves a socket a listener accepted: challenges it before reading any frame. */
  static accept(socket: net.Socket, authkey: Uint8Array, options: SocketLinkOptions = {}): SocketLink {
    const link = new SocketLink(socket, options);
    link.serverHandshake(authkey);
    return link;
  }

  /** Where this link's frames travel: through shared-memory rings both ways, or on the socket. */
  get dataPlane(): 'rings' | 'socket' {
    return this.plane.writesRing && this.plane.readsRing ? 'rings' : 'socket';
  }

  hold(): void {
    if (this.holds++ === 0) this.socket.ref();
  }

  release(): void {
    if (--this.holds === 0) this.socket.unref();
  }

  protected writeFrames(frames: Uint8Array[]): void {
    if (this.plane.writesRing) return this.plane.write(frames);
    for (const frame of frames) this.writeSocket(frame);
  }

  private writeSocket(frame: Uint8Array): void {
    this.unsettled++;
    this.inFlight.push(frame);
    this.socket.write(frame, this.written);
  }

  /** Frames handed to the socket whose write has not completed, oldest first (what an exit must still write). */
  private readonly inFlight = new Deque<Uint8Array>();

  private readonly written = (): void => {
    this.unsettled--;
    this.inFlight.shift();
    this.releaseDrainWaiters();
  };

  /**
   * The process is exiting, so no event loop will finish a write: what still
   * waits in this process (found with `unwrittenBytes`) and then `frames` are
   * written to the descriptor synchronously (see `writeAtExit`).
   */
  protected override writeFramesAtExit(frames: Uint8Array[]): void {
    if (this.plane.writesRing) {
      // Into the ring, waiting a little for the reader to make room (no event loop will run again).
      this.plane.write(frames);
      if (!this.plane.flushAtExit(EXIT_RING_MS))
        writeAtExit(-1, [], `${this.plane.unsent} frames to a peer could not be written before exit`);
      frames = [];
    }
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const backlog = unwrittenBytes(this.socket, this.inFlight);
    if (typeof fd !== 'number' || fd < 0 || backlog === undefined) {
      if (frames.length > 0) this.writeFrames(frames);
      if (this.socket.writableLength > 0) {
        writeAtExit(-1, [], `${this.socket.writableLength} bytes to a peer could not be written before exit`);
      }
      return;
    }
    if (backlog.length + frames.length > 0) writeAtExit(fd, [...backlog, ...frames]);
  }

  protected settledWrites(): boolean {
    return this.unsettled === 0 && this.plane.unsent === 0;
  }

  protected override unwritten(): boolean {
    return this.socket.writableLength > 0 || this.plane.unsent > 0;
  }

  protected end(): void {
    this.socket.end();
  }

  protected abort(): void {
    this.plane.stop();
    this.socket.destroy();
  }

  /** Tells the client it was refused, then hangs up (the close handlers receive `error`). */
  private refuse(error: Error): void {
    this.transportError ??= error;
    this.socket.end(Buffer.from([REFUSED]));
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private startFrames(leftover: Buffer, client: boolean): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // Between processes of one machine, the data moves to shared memory (offered before any other frame).
    if (client && ringsWanted('processes')) {
      try {
        this.handshake.offer();
      } catch {
        // No shared memory here after all: the socket carries everything.
      }
    }
    this.markReady();
    if (leftover.byteLength > 0) this.receive(leftover);
  }

  /** A frame's payload from the ring (or announced by it). */
  private deliverPayload(payload: Uint8Array): void {
    if (this.failure) return;
    try {
      this.deliver(decodeBatch(payload));
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error }));
    }
  }

  private receive(chunk: Buffer): void {
    if (this.failure) return;
    try {
      for (const payload of this.decoder.push(chunk)) {
        // A handler that failed the link stops the rest of this chunk too.
        if (this.failure) return;
        if (isControl(payload)) this.handshake.control(payload);
        else if (this.plane.readsRing) this.plane.socketFrame(payload);
        else this.deliver(decodeBatch(payload));
      }
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error }));
    }
  }

  private clientHandshake(authkey: Uint8Array): void {
    // A listener that never greets or never answers must not hold the link (and its sends) forever.
    const timer = setTimeout(
      () => this.fail(new AuthenticationError(`the listener did not complete the handshake within ${this.handshakeTimeoutMs} ms`)),
      this.handshakeTimeoutMs,
    );
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    readExactly(this.socket, GREETING_BYTES, (greetingBytes) => {
      const challenge = readGreeting(greetingBytes);
      if (!challenge) return this.fail(new ProtocolError('the listener did not greet as an rxmp broker'));
      const mine = nonce();
      this.socket.write(Buffer.concat([digest(authkey, challenge), mine]));
      readExactly(this.socket, 1, (status, afterStatus) => {
        if (status[0] !== ACCEPTED) return this.fail(new AuthenticationError('the listener refused our authkey'));
        readExactly(
          this.socket,
          DIGEST_BYTES,
          (proof, rest) => {
            clearTimeout(timer);
            if (!verify(authkey, mine, proof)) {
              return this.fail(new AuthenticationError('the listener failed to prove the authkey'));
            }
            this.startFrames(rest, true);
          },
          afterStatus,
        );
      });
    });
  }

  private serverHandshake(authkey: Uint8Array): void {
    const challenge = nonce();
    const timer = setTimeout(
      () => this.fail(new AuthenticationError(`no answer to the challenge within ${this.handshakeTimeoutMs} ms`)),
      this.handshakeTimeoutMs,
    );
    timer.unref();
    this.socket.write(greeting(challenge));
    readExactly(this.socket, ANSWER_BYTES, (answer, rest) => {
      clearTimeout(timer);
      const proof = answer.subarray(0, DIGEST_BYTES);
      if (!verify(authkey, challenge, proof)) {
        return this.refuse(new AuthenticationError('a client answered the challenge with the wrong authkey'));
      }
      // The client speaks only after our proof; bytes before it break the protocol.
      if (rest.byteLength > 0) return this.fail(new ProtocolError('a client sent frames before the handshake ended'));
      this.socket.write(Buffer.concat([Buffer.from([ACCEPTED]), digest(authkey, answer.subarray(DIGEST_BYTES))]));
      this.startFrames(Buffer.alloc(0), false);
    });
  }
}

/**
 * Reads exactly `n` bytes from `socket`, then hands them (and any bytes that
 * came with them) to `done` and stops listening. Nothing else reads meanwhile.
 */
function readExactly(socket: net.Socket, n: number, done: (bytes: Buffer, rest: Buffer) => void, initial: Buffer = Buffer.alloc(0)): void {
  const chunks: Buffer[] = initial.byteLength > 0 ? [initial] : [];
  let have = initial.byteLength;
  const finish = (): void => {
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    done(all.subarray(0, n), all.subarray(n));
  };
  if (have >= n) return finish();
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    have += chunk.byteLength;
    if (have < n) return;
    socket.off('data', onData);
    finish();
  };
  socket.on('data', onData);
}
