import { asyncScheduler } from 'rxjs';
import { PipeChannel, sizeOf, type SendWaiter } from '../../core/pipe/pipe-channel.js';
import { ClosedError } from '../../errors.js';
import { PipeEnd } from './pipe-end.js';
import type { PipeHost } from './pipe-host.js';
import { fromPortable, portable, RemoteWriter, type PortableMessage, type SentEntry, type WriterState } from './remote-writer.js';
import { decodeError, encodeError, type ErrorInfo } from '../../wire/error-codec.js';
import type { Address } from '../../wire/protocol/index.js';

export interface ReaderState {
  /** Sequence numbers of the messages toward this end received so far, and consumed by its application. */
  received: number;
  consumed: number;
  /** Received and not consumed, in order. */
  messages: PortableMessage[];
  /** The peer's end of stream, if it arrived. */
  end?: { error?: ErrorInfo };
}

export interface PipeEndDescriptor {
  pipe: string;
  end: 0 | 1;
  window: number;
  registry: Address;
  /** How many times this end has moved, this move included. */
  gen: number;
  reader?: ReaderState;
  writer?: WriterState;
  writeEnded: boolean;
}

const movedAway = () => new ClosedError('connection', 'this end moved to another process');

/**
 * Moves a pipe end to another runtime: everything its reader holds and
 * everything its writer has not got through yet travel in the description,
 * and a peer staying here switches to talking to the end's new home. Every
 * change here is made before this returns, so the object left behind is
 * spent at once (calls reject `ClosedError`, `close()` closes nothing);
 * only the description waits, for the registry's address.
 */
export function exportEnd(
  x: PipeEnd,
  host: PipeHost,
  /** Whether the end has ended its own stream. */
  writeEnded: boolean,
): Promise<PipeEndDescriptor> {
  if (x.moved) throw new ClosedError('connection', 'this end already moved to another process');
  if (!x.pipe) host.share(x, x.peer);
  const pipe = x.pipe as string;
  const registry = x.registry as Address;
  const peer = x.peer;

  // What this end's reader holds leaves with it.
  let reader: ReaderState | undefined;
  let towardX: SendWaiter[] = [];
  if (x.inbound) {
    const extracted = x.inbound.extract(movedAway());
    const held = extracted.messages.length + (extracted.end ? 1 : 0);
    reader = {
      received: x.hosted ? x.received : held,
      consumed: x.hosted ? x.consumed : 0,
      messages: extracted.messages.map(portable),
      ...(extracted.end ? { end: extracted.end.error ? { error: encodeError(extracted.end.error) } : {} } : {}),
    };
    towardX = extracted.senders;
  }

  // So does what its writer has not got through yet.
  let writer: WriterState | undefined;
  let peerReceived = 0;
  if (x.outbound instanceof RemoteWriter) {
    writer = x.outbound.capture();
  } else if (x.outbound) {
    const channel = x.outbound as PipeChannel;
    const detached = channel.detachWriter();
    const sent: SentEntry[] = detached.buffered.map((size, i) => ({ seq: i + 1, size }));
    if (detached.ended) sent.push({ seq: sent.length + 1, size: 0 });
    peerReceived = sent.length;
    writer = {
      nextSeq: sent.length + 1,
      sent,
      unsent: detached.waiting.map((w) =>
        'message' in w.outgoing
          ? { message: portable(w.outgoing.message) }
          : { end: true as const, error: w.outgoing.error && encodeError(w.outgoing.error) },
      ),
      received: peerReceived,
      // The peer here closed its reader already: sends fail at the new home too, without waiting to be told.
      ...(channel.readerClosed ? { broken: 'peer end is closed (broken pipe)' } : {}),
    };
    for (const w of detached.waiting) w.accepted(); // handed over with the end
  }

  if (peer) {
    // The peer stays here and now talks to this end's new home.
    peer.peer = undefined;
    x.peer = undefined;
    let peerWriter: RemoteWriter | undefined;
    if (peer.outbound && reader) {
      const sent: SentEntry[] = reader.messages.map((message, i) => ({ seq: i + 1, size: sizeOf(fromPortable(message)), message }));
      if (reader.end) sent.push({ seq: sent.length + 1, size: 0, end: reader.end });
      peerWriter = new RemoteWriter(pipe, x.index, x.window, x.scheduler, { nextSeq: sent.length + 1, sent, unsent: [] });
      for (const waiter of towardX) peerWriter.send(waiter);
      peer.outbound = peerWriter;
    }
    peer.received = peerReceived;
    peer.consumed = 0;
    host.host(peer);
  }
  const spanned = peer !== undefined || x.hosted;
  host.leave(x);
  if (spanned) host.leftHome(pipe, x.index, registry, x.gen + 1);

  const gen = x.gen + 1;
  x.inbound = undefined;
  x.outbound = undefined;
  return host.describe(registry).then((address) => ({
    pipe,
    end: x.index,
    window: x.window,
    registry: address,
    gen,
    writeEnded,
    ...(reader ? { reader } : {}),
    ...(writer ? { writer } : {}),
  }));
}

/**
 * Brings a moved end to life in this runtime and tells the pipe's registry
 * where it is. The caller stands a Connection on it (which sets `end.close`).
 */
export function reviveEnd(d: PipeEndDescriptor, host: PipeHost): PipeEnd {
  let inbound: PipeChannel | undefined;
  if (d.reader) {
    inbound = new PipeChannel(d.window, asyncScheduler);
    for (const message of d.reader.messages) inbound.accept(fromPortable(message));
    if (d.reader.end) inbound.acceptEnd(d.reader.end.error && decodeError(d.reader.end.error));
  }
  const writer = d.writer ? new RemoteWriter(d.pipe, 1 - d.end, d.window, asyncScheduler, d.writer) : undefined;
  const end = new PipeEnd(d.end, d.window, asyncScheduler, inbound, writer);
  end.pipe = d.pipe;
  end.registry = d.registry;
  end.gen = d.gen;
  end.received = d.reader?.received ?? 0;
  end.consumed = d.reader?.consumed ?? 0;
  host.host(end);
  void host.register(end);
  return end;
}
