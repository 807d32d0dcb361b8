/**
 * The pipe end state machine's transitions: a pure function from a state
 * and an event to the next state and the effects its home carries out, in
 * order. No I/O, no timers, no callbacks: the pipe host feeds it the pipe
 * messages and link closures it sees, and does what it says.
 */
import type { BrokenPipeCause, PipeEndEffect, PipeEndEvent } from './pipe-end-events.js';
import {
  ackLink,
  hostedEnd,
  readerClosed,
  releasable,
  type PeerState,
  type PipeEndState,
  type ReaderState,
  type RuntimeAddress,
} from './pipe-end-state.js';

export interface PipeEndStep<L, A extends RuntimeAddress> {
  readonly state: PipeEndState<L>;
  readonly effects: readonly PipeEndEffect<L, A>[];
}

const NONE: readonly never[] = Object.freeze([]);
const ACCEPT: readonly PipeEndEffect<never, never>[] = Object.freeze([{ t: 'accept' } as const]);
const ENDED: PeerState<never> = Object.freeze({ kind: 'ended' });
const CLOSED_READER = Object.freeze({ kind: 'closed' } as const);

export function stepPipeEnd<L, A extends RuntimeAddress>(s: PipeEndState<L>, e: PipeEndEvent<L, A>): PipeEndStep<L, A> {
  if (s.where === 'left' || s.where === 'released') return { state: s, effects: NONE };
  if (s.where === 'paired') return pairedStep(s, e);
  const step = hostedStep(s, e);
  // Data changes nothing the release rule looks at (the hot path stays short).
  if (e.t === 'data' || !releasable(step.state)) return step;
  return { state: { ...step.state, where: 'released' }, effects: [...step.effects, { t: 'release' }] };
}

/** Both ends talk through their channels here: only a move concerns the machine. */
function pairedStep<L, A extends RuntimeAddress>(s: PipeEndState<L>, e: PipeEndEvent<L, A>): PipeEndStep<L, A> {
  if (e.t === 'leave') return { state: { ...s, where: 'left' }, effects: NONE };
  if (e.t !== 'share') return { state: s, effects: NONE };
  const state = hostedEnd<L>(s.reader.kind !== 'none', e.writes, { reader: e.readerClosed, end: e.closed });
  // Closed while paired: its end of stream may still have to reach the peer's new home.
  const effects: PipeEndEffect<L, A>[] = state.closed && state.writer === 'open' ? [{ t: 'watchWriter' }] : [];
  if (releasable(state)) return { state: { ...state, where: 'released' }, effects: [...effects, { t: 'release' }] };
  return { state, effects };
}

function hostedStep<L, A extends RuntimeAddress>(s: PipeEndState<L>, e: PipeEndEvent<L, A>): PipeEndStep<L, A> {
  const peer = s.peer;
  switch (e.t) {
    case 'share':
      return { state: s, effects: NONE };

    case 'leave': {
      // On the link the peer's home bound to when this end said hello: it arrives after that hello.
      const effects: PipeEndEffect<L, A>[] = s.hello ? [{ t: 'tell', link: s.hello.link, what: 'pmoving' }] : [];
      effects.push({ t: 'forget' });
      return { state: { ...s, where: 'left' }, effects };
    }

    case 'closed':
      if (s.closed) return { state: s, effects: NONE };
      return { state: { ...s, closed: true }, effects: s.writer === 'open' ? [{ t: 'watchWriter' }] : NONE };

    case 'writerDone':
      return { state: s.writer === 'open' ? { ...s, writer: 'done' } : s, effects: NONE };

    case 'readerClosed': {
      if (s.reader.kind !== 'open') return { state: s, effects: NONE };
      if (peer.kind === 'ended') return { state: { ...s, reader: CLOSED_READER }, effects: NONE };
      // Where the peer's writer may already be sending from; if nowhere yet, the next hello says so.
      const link = ackLink(s) ?? s.hello?.link;
      const state = { ...s, reader: { kind: 'closing', link } as const };
      if (link === undefined) return { state, effects: NONE };
      return { state, effects: [{ t: 'awaitCloseAck' }, { t: 'tell', link, what: 'pclosed' }] };
    }

    case 'data': {
      if (s.reader.kind === 'none') return { state: s, effects: NONE };
      if (readerClosed(s)) return { state: s, effects: [{ t: 'tell', link: e.link, what: 'pclosed' }] };
      return { state: withDataLink(s, e.link), effects: ACCEPT as readonly PipeEndEffect<L, A>[] };
    }

    case 'streamEnd': {
      if (s.reader.kind === 'none') return { state: s, effects: NONE };
      const state = { ...withDataLink(s, e.link), peerEnded: true };
      return { state, effects: [{ t: 'accept' }, { t: 'ack', link: ackLink(state) ?? e.link }] };
    }

    case 'peerReaderClosed':
      return {
        state: s,
        effects: [
          { t: 'failWriter', cause: 'its reader closed' },
          { t: 'tell', link: e.link, what: 'pclosedok' },
        ],
      };

    case 'closeAcknowledged':
      if (s.reader.kind !== 'closing') return { state: s, effects: NONE };
      return { state: { ...s, reader: CLOSED_READER }, effects: [{ t: 'closeAcknowledged' }] };

    case 'peerMoving': {
      // Only news from the home we are bound to counts; an older home's goodbye is stale.
      if (peer.kind === 'ended' || peer.link !== e.link) return { state: s, effects: NONE };
      // Our hello went to the home the peer is leaving, and so may a `pclosed` it will not answer
      // (its writer left with the end): the peer's next home hears of the close with our next hello.
      const reader: ReaderState<L> = s.reader.kind === 'closing' ? { kind: 'closing', link: undefined } : s.reader;
      const left: PipeEndState<L> = { ...s, hello: undefined, reader };
      if (peer.kind === 'gone') return settleGone<L, A>({ ...left, peer: { ...peer, link: undefined } }, [{ t: 'holdWriter' }]);
      return { state: { ...left, peer: { kind: 'moving', link: undefined } }, effects: [{ t: 'holdWriter' }] };
    }

    case 'peerHello': {
      if (peer.kind === 'ended') {
        // Its home talks to us after all: at least let a closed reader's close() resolve.
        return { state: s, effects: e.closed ? [{ t: 'tell', link: e.link, what: 'pclosedok' }] : NONE };
      }
      const effects: PipeEndEffect<L, A>[] = e.closed
        ? [
            { t: 'failWriter', cause: 'its reader closed' },
            { t: 'tell', link: e.link, what: 'pclosedok' },
          ]
        : [];
      effects.push({ t: 'bindWriter', link: e.link, received: e.received, consumed: e.consumed }, { t: 'ack', link: e.link });
      const bound: PeerState<L> = peer.kind === 'gone' ? { ...peer, link: e.link } : { kind: 'bound', link: e.link };
      let greeting = s.greeting;
      if (s.hello?.to !== e.home.id) {
        effects.push({ t: 'hello', to: e.home });
        greeting++;
      }
      return { state: { ...s, peer: bound, greeting }, effects };
    }

    case 'peerWhere':
      if (peer.kind === 'ended') return { state: s, effects: NONE };
      return { state: { ...s, greeting: s.greeting + 1 }, effects: [{ t: 'hello', to: e.home }] };

    case 'peerGone': {
      if (peer.kind === 'ended') return { state: s, effects: NONE };
      return settleGone({ ...s, peer: { kind: 'gone', link: peer.link, lastHome: e.lastHome, lastHomeOpen: e.lastHomeOpen } }, []);
    }

    case 'linkClosed':
      return linkClosed(s, e.link, e.runtime, e.runtimeOpen);

    case 'greeted': {
      const state = { ...s, greeting: Math.max(0, s.greeting - 1) };
      if (peer.kind === 'gone') return settleGone(state, []);
      if (peer.kind === 'ended' || e.home === undefined) return { state, effects: NONE };
      return { state, effects: [{ t: 'sendHello', to: e.to, home: e.home, closed: readerClosed(s) }] };
    }

    case 'saidHello':
      return { state: { ...s, hello: { to: e.to, link: e.link } }, effects: NONE };
  }
}

/** Data from the peer's home arrived on `link`: before its hello, that link is where acks go. */
function withDataLink<L>(s: PipeEndState<L>, link: L): PipeEndState<L> {
  const peer = s.peer;
  if (peer.kind === 'ended' || peer.kind === 'bound' || peer.link !== undefined) return s;
  return { ...s, peer: { ...peer, link } };
}

/**
 * A link closed. The peer's home going away without saying its end moved
 * ends the peer: EOF for this reader, a broken pipe for this writer. A
 * moving peer's old home closing is not the end of its stream.
 */
function linkClosed<L, A extends RuntimeAddress>(
  s: PipeEndState<L>,
  link: L,
  runtime: string | undefined,
  runtimeOpen: boolean,
): PipeEndStep<L, A> {
  let state = s;
  if (state.hello?.link === link) state = { ...state, hello: undefined };
  // A `pclosed` that went on this link may never have been read: unless the peer ends now, tell its next home.
  if (state.reader.kind === 'closing' && state.reader.link === link) state = { ...state, reader: { kind: 'closing', link: undefined } };
  const peer = state.peer;
  switch (peer.kind) {
    case 'unknown':
    case 'bound':
      if (peer.link === link) return endPeer(state, [], "the peer's process is gone");
      break;
    case 'moving':
      if (peer.link === link) state = { ...state, peer: { kind: 'moving', link: undefined } };
      break;
    case 'gone': {
      const lastHomeOpen = peer.lastHomeOpen && !(runtime !== undefined && runtime === peer.lastHome && !runtimeOpen);
      state = { ...state, peer: { ...peer, link: peer.link === link ? undefined : peer.link, lastHomeOpen } };
      return settleGone(state, []);
    }
    case 'ended':
      break;
  }
  return { state, effects: NONE };
}

/**
 * A lost peer has ended once nothing more can come from it: no link it
 * talked to us on is open, none from the runtime it had reached, and no
 * hello of ours is still on its way.
 */
function settleGone<L, A extends RuntimeAddress>(s: PipeEndState<L>, effects: PipeEndEffect<L, A>[]): PipeEndStep<L, A> {
  const peer = s.peer;
  if (peer.kind !== 'gone' || s.greeting > 0 || peer.link !== undefined || peer.lastHomeOpen) {
    return { state: s, effects: effects.length === 0 ? NONE : effects };
  }
  return endPeer(s, effects, 'its process exited holding it');
}

function endPeer<L, A extends RuntimeAddress>(
  s: PipeEndState<L>,
  effects: PipeEndEffect<L, A>[],
  cause: BrokenPipeCause,
): PipeEndStep<L, A> {
  effects.push({ t: 'failWriter', cause }, { t: 'endReader' });
  let state: PipeEndState<L> = { ...s, peer: ENDED };
  if (state.reader.kind === 'closing') {
    // Nobody is left to tell.
    state = { ...state, reader: CLOSED_READER };
    effects.push({ t: 'closeAcknowledged' });
  }
  return { state, effects };
}
