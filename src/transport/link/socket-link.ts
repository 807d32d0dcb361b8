import net from 'node:net';
import { AuthenticationError, ProtocolError } from '../../errors.js';
import { FrameDecoder } from '../../wire/framing.js';
import {
  ANSWER_BYTES,
  DIGEST_BYTES,
  digest,
  GREETING_BYTES,
  greeting,
  nonce,
  readGreeting,
  verify,
} from '../../wire/handshake.js';
import { decodeBatch, encodeFrame } from '../../wire/batch.js';
import type { Message } from '../../wire/protocol/index.js';
import { Link } from './link.js';

/** How long a peer may take to answer the challenge before it is cut off. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const ACCEPTED = 1;
const REFUSED = 0;

/**
 * A link over a Unix domain socket. The two ends first prove the authkey to
 * each other (see `wire/handshake`); only then are frames read. A frame that
 * is malformed, truncated or over the size limit drops this one connection
 * with a `ProtocolError`.
 */
export class SocketLink extends Link {
  private readonly decoder = new FrameDecoder();
  private unsettled = 0;
  private holds = 0;
  private failure: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    super();
    socket.setNoDelay?.(true);
    socket.unref();
    socket.on('error', (error) => {
      this.failure ??= error;
    });
    socket.on('close', () => this.closedBy(this.failure));
  }

  /** Connects to a listener at `path` and authenticates both ways with `authkey`. */
  static connect(path: string, authkey: Uint8Array): SocketLink {
    const link = new SocketLink(net.connect(path));
    link.clientHandshake(authkey);
    return link;
  }

  /** Serves a socket a listener accepted: challenges it before reading any frame. */
  static accept(socket: net.Socket, authkey: Uint8Array): SocketLink {
    const link = new SocketLink(socket);
    link.serverHandshake(authkey);
    return link;
  }

  hold(): void {
    if (this.holds++ === 0) this.socket.ref();
  }

  release(): void {
    if (--this.holds === 0) this.socket.unref();
  }

  protected write(batch: Message[]): void {
    this.unsettled++;
    this.socket.write(encodeFrame(batch), () => {
      this.unsettled--;
      this.releaseDrainWaiters();
    });
  }

  protected settledWrites(): boolean {
    return this.unsettled === 0;
  }

  protected end(): void {
    this.socket.end();
  }

  /** Cuts the connection off with `error` (which the close handlers receive). */
  fail(error: Error): void {
    this.failure ??= error;
    this.socket.destroy();
  }

  /** Tells the client it was refused, then hangs up (the close handlers receive `error`). */
  private refuse(error: Error): void {
    this.failure ??= error;
    this.socket.end(Buffer.from([REFUSED]));
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private startFrames(leftover: Buffer): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.markReady();
    if (leftover.byteLength > 0) this.receive(leftover);
  }

  private receive(chunk: Buffer): void {
    try {
      for (const payload of this.decoder.push(chunk)) this.deliver(decodeBatch(payload));
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error }));
    }
  }

  private clientHandshake(authkey: Uint8Array): void {
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
            if (!verify(authkey, mine, proof)) {
              return this.fail(new AuthenticationError('the listener failed to prove the authkey'));
            }
            this.startFrames(rest);
          },
          afterStatus,
        );
      });
    });
  }

  private serverHandshake(authkey: Uint8Array): void {
    const challenge = nonce();
    const timer = setTimeout(
      () => this.fail(new AuthenticationError(`no answer to the challenge within ${HANDSHAKE_TIMEOUT_MS} ms`)),
      HANDSHAKE_TIMEOUT_MS,
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
      this.startFrames(Buffer.alloc(0));
    });
  }
}

/**
 * Reads exactly `n` bytes from `socket`, then hands them (and any bytes that
 * came with them) to `done` and stops listening. Nothing else reads meanwhile.
 */
function readExactly(
  socket: net.Socket,
  n: number,
  done: (bytes: Buffer, rest: Buffer) => void,
  initial: Buffer = Buffer.alloc(0),
): void {
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
