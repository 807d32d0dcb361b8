import { expect } from 'chai';
import fc from 'fast-check';
import { type Arrival, BARRIER_WORDS, BarrierState, ENTRIES } from '../../../src/core/sync/barrier-state.js';

type Outcome = 'waiting' | 'passed' | 'broken';
type Ended = 'passed' | 'broken';

/** The creator of a barrier with an action has died. */
const GONE = -1;

/** The rules of the header, written the obvious way, to check the shared-word version against. */
class Model {
  broken = false;
  /** The generation filling, and how many have joined it. */
  gen = 0;
  count = 0;
  /** Generations full, waiting for their action, oldest first. */
  pending: number[] = [];
  /** How each generation that ended ended; they end in order, so `done` is how many did. */
  outcomes = new Map<number, Ended>();
  /** Parties waiting, as the real one keeps them: one record per owner and generation. */
  records = new Map<string, { owner: number; gen: number }>();
  /** Owners whose waiters this step let go (or who must now run an action): each must be rung. */
  wake = new Set<number>();

  constructor(
    readonly parties: number,
    public creator: number,
  ) {}

  get done(): number {
    return this.outcomes.size;
  }
  get waiting(): number {
    return this.broken ? 0 : this.count;
  }
  outcome(gen: number): Outcome {
    return this.outcomes.get(gen) ?? 'waiting';
  }
  step(): void {
    this.wake = new Set();
  }

  arrive(owner: number): Pick<Arrival, 'kind'> & { gen?: number; index?: number } {
    if (this.broken) return { kind: 'broken' };
    const gen = this.gen;
    const index = this.count;
    const last = index + 1 === this.parties;
    // Everyone waits but the last party, and it too when an action is to run elsewhere (or cannot run).
    const waits = !last || (this.creator !== 0 && this.creator !== owner);
    if (waits) {
      const key = `${owner}:${gen}`;
      if (!this.records.has(key) && this.records.size >= ENTRIES) return { kind: 'full' };
      this.records.set(key, { owner, gen });
    }
    if (!last) {
      this.count++;
      return { kind: 'wait', gen, index };
    }
    this.count = 0;
    this.gen++;
    if (this.creator === 0) {
      this.end(gen, 'passed');
      return { kind: 'passed', gen, index };
    }
    if (this.creator === GONE) {
      // Its action can never run: the generation ends broken, and the barrier with it.
      this.end(gen, 'broken');
      this.breakNow();
      return { kind: 'wait', gen, index };
    }
    this.pending.push(gen);
    if (this.creator === owner) return { kind: 'action', gen, index };
    this.wake.add(this.creator);
    return { kind: 'wait', gen, index };
  }

  complete(ok: boolean): void {
    const gen = this.pending.shift();
    if (gen === undefined) return;
    this.end(gen, ok ? 'passed' : 'broken');
    // The action threw: the barrier breaks, and every wait in it with it.
    if (!ok) this.breakNow();
  }

  breakNow(): void {
    this.broken = true;
    this.endInFlight();
  }

  reset(): void {
    this.endInFlight();
    this.broken = false;
  }

  die(owner: number): void {
    let inside = false;
    for (const [key, r] of this.records) {
      if (r.owner !== owner) continue;
      this.records.delete(key);
      inside = true;
    }
    if (this.creator === owner) {
      this.creator = GONE;
      if (this.pending.length > 0) inside = true;
    }
    if (inside) this.breakNow();
  }

  private endInFlight(): void {
    for (const gen of this.pending.splice(0)) this.end(gen, 'broken');
    if (this.count > 0) {
      this.count = 0;
      this.end(this.gen++, 'broken');
    }
  }

  private end(gen: number, how: Ended): void {
    this.outcomes.set(gen, how);
    for (const [key, r] of this.records) {
      if (r.gen !== gen) continue;
      this.records.delete(key);
      this.wake.add(r.owner);
    }
  }
}

type Command =
  | { t: 'arrive'; owner: number }
  | { t: 'abort' }
  | { t: 'reset' }
  | { t: 'timeout'; pick: number }
  | { t: 'die'; owner: number }
  | { t: 'action'; ok: boolean };

const owner = fc.integer({ min: 1, max: 4 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('arrive' as const), owner }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('abort' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reset' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('timeout' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('die' as const), owner }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('action' as const), ok: fc.boolean() }) },
);

/** An arrival still alive, and the outcome last seen for it. */
interface Tracked {
  owner: number;
  gen: number;
  index: number;
  seen: Outcome;
}

/** Runs `commands` on the real state and the model side by side, checking after each; returns what happened. */
function run(parties: number, creator: number, commands: Command[]): string[] {
  const real = new BarrierState(new Int32Array(BARRIER_WORDS));
  real.init(parties, creator);
  const model = new Model(parties, creator);
  const dead = new Set<number>();
  const arrivals: Tracked[] = [];
  /** Per generation: the indices handed out, and whether its action ran without throwing. */
  const indices = new Map<number, Set<number>>();
  const actionOk = new Set<number>();
  const log: string[] = [];
  for (const c of commands) {
    model.step();
    let wake: number[] = [];
    let arrival: Arrival | undefined;
    if (c.t === 'arrive') {
      if (dead.has(c.owner)) continue;
      arrival = real.arrive(c.owner);
      const { kind } = arrival;
      const seen = kind === 'broken' || kind === 'full' ? { kind } : { kind, gen: arrival.gen, index: arrival.index };
      log.push(`arrive(${c.owner}) → ${JSON.stringify(seen)}`);
      expect(seen, log.join('\n')).to.deep.equal(model.arrive(c.owner));
      if (kind === 'wait' || kind === 'passed') wake = arrival.wake;
      if (kind === 'wait' || kind === 'passed' || kind === 'action') {
        const { gen, index } = arrival;
        const seenHere = indices.get(gen) ?? new Set<number>();
        indices.set(gen, seenHere);
        expect(index, `index in generation ${gen}\n${log.join('\n')}`).to.be.within(0, parties - 1);
        expect(seenHere.has(index), `index ${index} twice in generation ${gen}\n${log.join('\n')}`).to.equal(false);
        seenHere.add(index);
        arrivals.push({ owner: c.owner, gen, index, seen: 'waiting' });
      }
    } else if (c.t === 'abort' || c.t === 'timeout') {
      if (c.t === 'timeout') {
        // A timeout is a waiter's: only one still waiting has one.
        const waiting = arrivals.filter((a) => a.seen === 'waiting');
        if (waiting.length === 0) continue;
        log.push(`timeout of ${JSON.stringify(waiting[c.pick % waiting.length])}: breakNow()`);
      } else log.push('breakNow()');
      wake = real.breakNow();
      model.breakNow();
      expect(real.broken, log.join('\n')).to.equal(true);
    } else if (c.t === 'reset') {
      log.push('reset()');
      wake = real.reset();
      model.reset();
      expect(real.broken, log.join('\n')).to.equal(false);
    } else if (c.t === 'die') {
      if (dead.has(c.owner)) continue;
      dead.add(c.owner);
      log.push(`dropOwners(${c.owner})`);
      wake = real.dropOwners((o) => o === c.owner);
      model.die(c.owner);
      for (let i = arrivals.length - 1; i >= 0; i--) if (arrivals[i]!.owner === c.owner) arrivals.splice(i, 1);
    } else {
      // The creator runs the next pending action.
      if (creator === 0 || dead.has(creator)) continue;
      const gen = real.pending;
      if (gen === undefined) continue;
      log.push(`complete(${c.ok}) for generation ${gen}`);
      if (c.ok) actionOk.add(gen);
      wake = real.complete(c.ok);
      model.complete(c.ok);
    }
    const where = log.join('\n');
    // No lost wake-up: every owner whose waiter's generation just ended (or who must run an action) is rung.
    for (const o of model.wake) expect(wake, `owner ${o} not woken\n${where}`).to.include(o);
    expect(real.broken, `broken\n${where}`).to.equal(model.broken);
    expect(real.waiting, `waiting\n${where}`).to.equal(model.waiting);
    expect(real.pending, `pending\n${where}`).to.equal(model.pending[0]);
    // Only the last 32 outcomes are kept.
    const oldest = Math.max(0, model.done - 32);
    for (const a of arrivals) {
      if (a.gen < oldest) continue;
      const now = real.outcome(a.gen);
      const what = `outcome(${a.gen}) for ${JSON.stringify(a)}\n${where}`;
      if (a.seen !== 'waiting') expect(now, `changed: ${what}`).to.equal(a.seen);
      expect(now, what).to.equal(model.outcome(a.gen));
      // A broken barrier has nobody left waiting in it.
      if (real.broken) expect(now, `stranded in a broken barrier: ${what}`).to.not.equal('waiting');
      a.seen = now;
    }
    // A generation passes only full, and (with an action) once its action ran without throwing.
    for (let gen = oldest; gen < model.done; gen++) {
      if (real.outcome(gen) !== 'passed') continue;
      expect(indices.get(gen)?.size, `generation ${gen} passed not full\n${where}`).to.equal(parties);
      if (creator !== 0) expect(actionOk.has(gen), `generation ${gen} passed without its action\n${where}`).to.equal(true);
    }
    if (arrival?.kind === 'passed') expect(real.outcome(arrival.gen), where).to.equal('passed');
  }
  return log;
}

describe('BarrierState (shared words)', () => {
  it('without an action: behaves as the model under arrivals, aborts, resets, timeouts and deaths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(command, { maxLength: 40, size: 'max' }),
        (parties, commands) => void run(parties, 0, commands),
      ),
      { numRuns: 1000 },
    );
  });

  it('with an action: behaves as the model, the creator running pending actions that pass or throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        owner,
        fc.array(command, { maxLength: 40, size: 'max' }),
        (parties, creator, commands) => void run(parties, creator, commands),
      ),
      { numRuns: 1000 },
    );
  });

  it(`keeps ${ENTRIES} waiting records: one more owner is refused (full) and changes nothing, a known one joins`, () => {
    const owners = Array.from({ length: ENTRIES + 1 }, (_, i) => ({ t: 'arrive' as const, owner: i + 1 }));
    const log = run(ENTRIES + 3, 0, [...owners, { t: 'arrive', owner: 1 }, { t: 'abort' }, { t: 'reset' }, ...owners]);
    expect(log.filter((line) => line.endsWith('{"kind":"full"}'))).to.have.length(2);
  });

  it('a barrier whose creator died breaks when its last party arrives, and that generation ends broken', () => {
    const s = new BarrierState(new Int32Array(BARRIER_WORDS));
    s.init(2, 1);
    expect(s.dropOwners((o) => o === 1)).to.deep.equal([]);
    expect(s.arrive(2)).to.deep.include({ kind: 'wait', gen: 0, index: 0 });
    const last = s.arrive(3);
    expect(last).to.deep.include({ kind: 'wait', gen: 0, index: 1 });
    expect(s.broken).to.equal(true);
    expect((last as { wake: number[] }).wake).to.have.members([2, 3]);
    expect(s.outcome(0)).to.equal('broken');
  });

  it('an action that throws breaks the barrier: a generation filling meanwhile ends broken too', () => {
    const s = new BarrierState(new Int32Array(BARRIER_WORDS));
    s.init(2, 1);
    s.arrive(2);
    expect(s.arrive(2)).to.deep.include({ kind: 'wait', gen: 0, wake: [1] });
    expect(s.arrive(3)).to.deep.include({ kind: 'wait', gen: 1, index: 0 });
    expect(s.complete(false)).to.have.members([2, 3]);
    expect(s.broken).to.equal(true);
    expect(s.outcome(0)).to.equal('broken');
    expect(s.outcome(1)).to.equal('broken');
    expect(s.pending).to.equal(undefined);
  });
});
