import { expect } from 'chai';
import fc from 'fast-check';
import type { PipeEndEffect, PipeEndEvent } from '../../../src/core/pipe/pipe-end-events.js';
import { hostedEnd, pairedEnd, releasable, type PipeEndState } from '../../../src/core/pipe/pipe-end-state.js';
import { stepPipeEnd } from '../../../src/core/pipe/pipe-end-step.js';

/** Links and addresses are opaque to the machine: strings will do. */
type L = string;
type A = { id: string };
type Ev = PipeEndEvent<L, A>;
type Eff = PipeEndEffect<L, A>;

function run(state: PipeEndState<L>, ...events: Ev[]): { state: PipeEndState<L>; effects: Eff[] } {
  const effects: Eff[] = [];
  for (const event of events) {
    const step = stepPipeEnd<L, A>(state, event);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const hello = (link: L, home: string, closed = false): Extract<Ev, { t: 'peerHello' }> => ({
  t: 'peerHello',
  link,
  home: { id: home },
  closed,
  received: 0,
  consumed: 0,
});
const closedLink = (link: L, runtime?: string, runtimeOpen = false): Ev => ({ t: 'linkClosed', link, runtime, runtimeOpen });
const kinds = (effects: Eff[]) => effects.map((e) => e.t);

describe('pipe end state machine', () => {
  it('a paired end ignores everything but a move: its peer leaving makes it hosted, its own leaving spends it', () => {
    expect(run(pairedEnd(true, true), { t: 'data', link: 'x' }, closedLink('x')).effects).to.deep.equal([]);
    expect(run(pairedEnd(true, true), { t: 'share', writes: true, readerClosed: false, closed: false }).state).to.deep.equal(
      hostedEnd(true, true),
    );
    const closedWhilePaired = run(pairedEnd(true, true), { t: 'share', writes: true, readerClosed: true, closed: true });
    expect(closedWhilePaired.effects, 'its end of stream must still reach the peer').to.deep.equal([{ t: 'watchWriter' }]);
    expect(run(pairedEnd(true, true), { t: 'leave' }).state.where).to.equal('left');
  });

  it('the peer’s hello binds this end’s writer to that link, acknowledges, and is answered with a hello once', () => {
    const { state, effects } = run(hostedEnd(true, true), { ...hello('L1', 'h1'), received: 3, consumed: 2 });
    expect(state.peer).to.deep.equal({ kind: 'bound', link: 'L1' });
    expect(effects).to.deep.equal([
      { t: 'bindWriter', link: 'L1', received: 3, consumed: 2 },
      { t: 'ack', link: 'L1' },
      { t: 'hello', to: { id: 'h1' } },
    ]);
    expect(state.greeting).to.equal(1);
    const greeted = run(state, { t: 'greeted', to: { id: 'h1' }, home: { id: 'me' } }, { t: 'saidHello', to: 'h1', link: 'L1' });
    expect(greeted.effects).to.deep.equal([{ t: 'sendHello', to: { id: 'h1' }, home: { id: 'me' }, closed: false }]);
    expect(
      run(greeted.state, hello('L1', 'h1')).effects.map((e) => e.t),
      'already greeted: no second hello',
    ).to.not.include('hello');
  });

  it('data before any hello names the link acks go to; a closed reader answers data with pclosed and takes nothing', () => {
    const first = run(hostedEnd(true, true), { t: 'data', link: 'L2' });
    expect(first.effects).to.deep.equal([{ t: 'accept' }]);
    expect(first.state.peer).to.deep.equal({ kind: 'unknown', link: 'L2' });
    const closed = run(first.state, { t: 'readerClosed' });
    expect(closed.effects).to.deep.equal([{ t: 'awaitCloseAck' }, { t: 'tell', link: 'L2', what: 'pclosed' }]);
    expect(run(closed.state, { t: 'data', link: 'L2' }).effects).to.deep.equal([{ t: 'tell', link: 'L2', what: 'pclosed' }]);
    expect(run(closed.state, { t: 'closeAcknowledged' }).effects).to.deep.equal([{ t: 'closeAcknowledged' }]);
  });

  it('a reader closed before its peer’s home is known says so in its next hello', () => {
    const { state, effects } = run(
      hostedEnd(true, true),
      { t: 'readerClosed' },
      { t: 'peerWhere', home: { id: 'h1' } },
      { t: 'greeted', to: { id: 'h1' }, home: { id: 'me' } },
    );
    expect(effects).to.deep.equal([
      { t: 'hello', to: { id: 'h1' } },
      { t: 'sendHello', to: { id: 'h1' }, home: { id: 'me' }, closed: true },
    ]);
    expect(state.reader).to.deep.equal({ kind: 'closing', link: undefined });
    expect(run(hostedEnd(true, true, { reader: true, end: false })).state.reader, 'closed while paired').to.deep.equal({
      kind: 'closing',
      link: undefined,
    });
  });

  it('the peer’s home closing its link without saying it moved ends the peer: EOF and a broken pipe, once', () => {
    const bound = run(hostedEnd(true, true), hello('L1', 'h1')).state;
    const { state, effects } = run(bound, closedLink('L1', 'h1'));
    expect(effects).to.deep.equal([{ t: 'failWriter', cause: "the peer's process is gone" }, { t: 'endReader' }]);
    expect(state.peer.kind).to.equal('ended');
    expect(
      run(state, closedLink('L1'), hello('L3', 'h3'), { t: 'peerGone', lastHome: undefined, lastHomeOpen: false }).effects,
    ).to.deep.equal([]);
  });

  it('a moving peer’s old home closing is not the end of its stream; its next home’s hello binds again', () => {
    const moving = run(hostedEnd(true, true), hello('L1', 'h1'), { t: 'peerMoving', link: 'L1' });
    expect(moving.effects.at(-1)).to.deep.equal({ t: 'holdWriter' });
    expect(moving.state.peer).to.deep.equal({ kind: 'moving', link: undefined });
    expect(moving.state.hello, 'our hello went to the home it left').to.equal(undefined);
    expect(run(moving.state, closedLink('L1', 'h1')).effects).to.deep.equal([]);
    expect(run(moving.state, hello('L2', 'h2')).state.peer).to.deep.equal({ kind: 'bound', link: 'L2' });
  });

  it('a goodbye from a home the peer is not bound to is stale and changes nothing', () => {
    const bound = run(hostedEnd(true, true), hello('L2', 'h2')).state;
    const stale = run(bound, { t: 'peerMoving', link: 'L1' });
    expect(stale.effects).to.deep.equal([]);
    expect(stale.state).to.equal(bound);
  });

  it('a lost peer ends only once nothing more can come from it: its link, its last home, and our hellos on the way', () => {
    let s = run(hostedEnd(true, true), { t: 'data', link: 'L1' }, { t: 'peerWhere', home: { id: 'h1' } }).state;
    let step = run(s, { t: 'peerGone', lastHome: 'h1', lastHomeOpen: true });
    expect(step.effects, 'its data link is open').to.deep.equal([]);
    s = run(step.state, closedLink('L1', 'h1', true)).state;
    expect(s.peer.kind, 'another link to its last home is open').to.equal('gone');
    s = run(s, closedLink('L9', 'h1', false)).state;
    expect(s.peer.kind, 'our hello still waits for the address').to.equal('gone');
    step = run(s, { t: 'greeted', to: { id: 'h1' }, home: { id: 'me' } });
    expect(step.effects).to.deep.equal([{ t: 'failWriter', cause: 'its process exited holding it' }, { t: 'endReader' }]);
  });

  it('a close waiting for its acknowledgement is acknowledged when the peer ends: nobody is left to tell', () => {
    const s = run(
      hostedEnd(true, true),
      hello('L1', 'h1'),
      { t: 'greeted', to: { id: 'h1' }, home: undefined },
      { t: 'readerClosed' },
    ).state;
    expect(s.reader).to.deep.equal({ kind: 'closing', link: 'L1' });
    const { state, effects } = run(s, { t: 'peerGone', lastHome: 'h1', lastHomeOpen: false }, { t: 'peerMoving', link: 'L1' });
    expect(kinds(effects)).to.deep.equal(['holdWriter', 'failWriter', 'endReader', 'closeAcknowledged']);
    expect(state.reader.kind).to.equal('closed');
  });

  it('leaving tells the home it greeted to hold on, then stops routing; a left end ignores everything', () => {
    const s = run(
      hostedEnd(false, true),
      hello('L1', 'h1'),
      { t: 'greeted', to: { id: 'h1' }, home: { id: 'me' } },
      { t: 'saidHello', to: 'h1', link: 'L1' },
    ).state;
    const { state, effects } = run(s, { t: 'leave' });
    expect(effects).to.deep.equal([{ t: 'tell', link: 'L1', what: 'pmoving' }, { t: 'forget' }]);
    expect(run(state, hello('L2', 'h2'), closedLink('L1'), { t: 'readerClosed' }).effects).to.deep.equal([]);
  });

  it('the peer’s reader closing fails this end’s writer and is acknowledged on the same link', () => {
    expect(run(hostedEnd(false, true), { t: 'peerReaderClosed', link: 'L1' }).effects).to.deep.equal([
      { t: 'failWriter', cause: 'its reader closed' },
      { t: 'tell', link: 'L1', what: 'pclosedok' },
    ]);
    expect(kinds(run(hostedEnd(false, true), hello('L1', 'h1', true)).effects)).to.deep.equal([
      'failWriter',
      'tell',
      'bindWriter',
      'ack',
      'hello',
    ]);
  });

  describe('release: an end is forgotten once it is closed and owes its peer nothing', () => {
    const closing = (s: PipeEndState<L>) => run(s, { t: 'readerClosed' }, { t: 'closed' });

    it('a closed writer is released once its writer is done; a reader once its close is acknowledged', () => {
      const writer = run(hostedEnd(false, true), hello('L1', 'h1'), { t: 'closed' });
      expect(writer.effects.at(-1)).to.deep.equal({ t: 'watchWriter' });
      const released = run(writer.state, { t: 'writerDone' });
      expect(released.effects).to.deep.equal([{ t: 'release' }]);
      expect(released.state.where).to.equal('released');
      expect(run(released.state, hello('L2', 'h2'), closedLink('L1')).effects, 'a released end hears nothing').to.deep.equal([]);
      const reader = closing(run(hostedEnd(true, false), hello('L1', 'h1')).state);
      expect(reader.state.where).to.equal('hosted');
      expect(kinds(run(reader.state, { t: 'closeAcknowledged' }).effects)).to.deep.equal(['closeAcknowledged', 'release']);
    });

    it('a reader whose peer’s stream ended here needs no acknowledgement; nor one whose peer ended', () => {
      const ended = run(hostedEnd(true, false), hello('L1', 'h1'), { t: 'streamEnd', link: 'L1' }).state;
      expect(kinds(closing(ended).effects)).to.deep.equal(['awaitCloseAck', 'tell', 'release']);
      const vanished = run(hostedEnd(true, false), hello('L1', 'h1'), closedLink('L1')).state;
      expect(kinds(closing(vanished).effects)).to.deep.equal(['release']);
    });

    it('is not released while its writer still owes the peer, or before the application closed it', () => {
      const s = run(hostedEnd(true, true), hello('L1', 'h1'), { t: 'readerClosed' }, { t: 'closeAcknowledged' }).state;
      expect(s.where, 'not closed by the application').to.equal('hosted');
      expect(run(s, { t: 'closed' }).state.where, 'its writer is not done').to.equal('hosted');
    });

    it('a close told to a home the peer has since left is told again to its next home, with the hello', () => {
      const s = run(
        hostedEnd(true, false),
        hello('L1', 'h1'),
        { t: 'greeted', to: { id: 'h1' }, home: { id: 'me' } },
        { t: 'saidHello', to: 'h1', link: 'L1' },
        { t: 'readerClosed' },
      );
      expect(s.state.reader).to.deep.equal({ kind: 'closing', link: 'L1' });
      const moved = run(s.state, { t: 'peerMoving', link: 'L1' }, closedLink('L1', 'h1'));
      expect(moved.state.reader, 'the old home may have missed it').to.deep.equal({ kind: 'closing', link: undefined });
      const next = run(moved.state, hello('L2', 'h2'), { t: 'greeted', to: { id: 'h2' }, home: { id: 'me' } });
      expect(next.effects.at(-1)).to.deep.equal({ t: 'sendHello', to: { id: 'h2' }, home: { id: 'me' }, closed: true });
    });
  });

  describe('model test: any sequence of events a home can see', () => {
    const LINKS = ['L1', 'L2', 'L3', 'L4'];
    const HOMES = ['h1', 'h2', 'h3'];
    const event = fc.oneof(
      fc.record({ t: fc.constant('data' as const), link: fc.nat() }),
      fc.record({ t: fc.constant('streamEnd' as const), link: fc.nat() }),
      fc.record({ t: fc.constant('peerReaderClosed' as const), link: fc.nat() }),
      fc.record({ t: fc.constant('closeAcknowledged' as const) }),
      fc.record({ t: fc.constant('peerMoving' as const), link: fc.nat() }),
      fc.record({ t: fc.constant('peerHello' as const), link: fc.nat(), home: fc.nat(), closed: fc.boolean() }),
      fc.record({ t: fc.constant('peerWhere' as const), home: fc.nat() }),
      fc.record({ t: fc.constant('peerGone' as const), home: fc.nat() }),
      fc.record({ t: fc.constant('linkClosed' as const), link: fc.nat() }),
      fc.record({ t: fc.constant('greeted' as const), pick: fc.nat() }),
      fc.record({ t: fc.constant('readerClosed' as const) }),
      fc.record({ t: fc.constant('closed' as const) }),
      fc.record({ t: fc.constant('writerDone' as const) }),
      fc.record({ t: fc.constant('leave' as const) }),
    );

    it('never refers to a closed link, counts its hellos, ends the peer at most once, and never changes a state it was given', () => {
      fc.assert(
        fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.array(event, { maxLength: 120 }), (reads, writes, paired, events) => {
          let state: PipeEndState<L> = paired ? pairedEnd(reads, writes) : hostedEnd(reads, writes);
          const open = new Set(LINKS);
          let nextLink = LINKS.length + 1;
          const linkOf = (n: number): L => [...open][n % open.size] ?? 'L0';
          const homeLinks = new Map<string, L>();
          const pending: A[] = []; // hellos waiting for the address
          let ended = 0;
          let awaited = 0;
          let acknowledged = 0;
          let readerClosedAt = -1;
          let closedByApp = false;
          let watched = false;
          let releases = 0;
          const feed = (e: Ev, at: number): void => {
            const before = JSON.stringify(state);
            deepFreeze(state);
            const step = stepPipeEnd<L, A>(state, e);
            expect(JSON.stringify(state), 'the given state is unchanged').to.equal(before);
            expect(stepPipeEnd<L, A>(state, e), 'deterministic').to.deep.equal(step);
            const wasGone = state.where === 'left' || state.where === 'released';
            state = step.state;
            if (wasGone) expect(step.effects, 'a left or released end does nothing').to.deep.equal([]);
            for (const effect of step.effects) {
              switch (effect.t) {
                case 'hello':
                  pending.push(effect.to);
                  break;
                case 'sendHello': {
                  // As the host does: its own link to that home, then `saidHello`.
                  let link = homeLinks.get(effect.to.id);
                  if (!link || !open.has(link)) {
                    link = `L${nextLink++}`;
                    open.add(link);
                    homeLinks.set(effect.to.id, link);
                  }
                  feed({ t: 'saidHello', to: effect.to.id, link }, at);
                  break;
                }
                case 'endReader':
                  ended++;
                  break;
                case 'awaitCloseAck':
                  awaited++;
                  break;
                case 'closeAcknowledged':
                  acknowledged++;
                  break;
                case 'watchWriter':
                  watched = true;
                  break;
                case 'release':
                  releases++;
                  expect(closedByApp, 'released only once the application closed it').to.equal(true);
                  expect(!writes || watched, 'released only after its writer was watched to the end').to.equal(true);
                  expect(state.where).to.equal('released');
                  break;
                case 'accept':
                  if (e.t === 'data') expect(readerClosedAt, 'a closed reader takes no data').to.equal(-1);
                  break;
                case 'tell':
                  if (effect.what === 'pclosed') expect(readerClosedAt, 'pclosed only for a closed reader').to.not.equal(-1);
                  break;
                default:
                  break;
              }
            }
          };
          for (const [at, o] of events.entries()) {
            // Every link closed: nothing can arrive on one (the harness would otherwise invent link L0).
            if ('link' in o && open.size === 0) continue;
            switch (o.t) {
              case 'data':
              case 'streamEnd':
              case 'peerReaderClosed':
              case 'peerMoving':
                feed({ t: o.t, link: linkOf(o.link) }, at);
                continue;
              case 'peerHello':
                feed({ ...hello(linkOf(o.link), HOMES[o.home % HOMES.length] as string, o.closed) }, at);
                continue;
              case 'peerWhere':
                feed({ t: 'peerWhere', home: { id: HOMES[o.home % HOMES.length] as string } }, at);
                continue;
              case 'peerGone': {
                const lastHome = HOMES[o.home % HOMES.length] as string;
                feed({ t: 'peerGone', lastHome, lastHomeOpen: [...homeLinks].some(([h, l]) => h === lastHome && open.has(l)) }, at);
                continue;
              }
              case 'linkClosed': {
                const link = linkOf(o.link);
                open.delete(link);
                const runtime = [...homeLinks].find(([, l]) => l === link)?.[0];
                feed({ t: 'linkClosed', link, runtime, runtimeOpen: false }, at);
                continue;
              }
              case 'greeted': {
                if (pending.length === 0) continue;
                const [to] = pending.splice(o.pick % pending.length, 1) as [A];
                feed({ t: 'greeted', to, home: { id: 'me' } }, at);
                continue;
              }
              case 'readerClosed':
                if (state.where !== 'left' && readerClosedAt === -1 && reads) readerClosedAt = at;
                feed({ t: 'readerClosed' }, at);
                continue;
              case 'closed':
                // As a Connection closes: its reader first, then the end.
                if (state.where === 'left' || state.where === 'released') continue;
                if (reads && readerClosedAt === -1) readerClosedAt = at;
                closedByApp = true;
                feed({ t: 'readerClosed' }, at);
                feed({ t: 'closed' }, at);
                continue;
              case 'writerDone':
                if (!watched) continue; // only ever the answer to watchWriter
                feed({ t: 'writerDone' }, at);
                continue;
              case 'leave':
                if (closedByApp) continue; // a closed end cannot be passed on
                feed({ t: 'leave' }, at);
                continue;
            }
          }
          if (state.where === 'hosted') {
            expect(state.greeting, 'hellos waiting for the address').to.equal(pending.length);
            for (const link of [
              state.peer.kind === 'ended' ? undefined : state.peer.link,
              state.hello?.link,
              state.reader.kind === 'closing' ? state.reader.link : undefined,
            ]) {
              if (link !== undefined) expect(open.has(link), `refers to closed link ${link}`).to.equal(true);
            }
            if (state.peer.kind === 'ended')
              expect(state.reader.kind, 'a closing reader is acknowledged once the peer ended').to.not.equal('closing');
          }
          expect(ended, 'the peer ends at most once').to.be.at.most(1);
          expect(releases, 'released at most once').to.be.at.most(1);
          if (state.where === 'hosted') expect(releasable(state), 'a releasable end is released at once').to.equal(false);
          expect(awaited).to.be.at.most(1);
          expect(acknowledged, 'a close is acknowledged at most once').to.be.at.most(1);
        }),
        { numRuns: 1000 },
      );
    });
  });
});

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
