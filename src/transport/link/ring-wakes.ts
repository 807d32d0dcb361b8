import type { ByteRing } from '../../core/ring/byte-ring.js';
import { ME } from '../shm/bell-slots.js';
import { Doorbell } from '../shm/doorbell.js';

/** What a plane does when woken: reads its ring on, writes what waits for room. */
export interface Sleeper {
  readable(): void;
  writable(): void;
}

/**
 * How the two sides of a ring plane wake each other. A side that finds its
 * ring empty (reading) or too full (writing) marks itself asleep in the
 * ring's words (`ByteRing.readerSleeps`, `writerSleeps`) and then calls
 * `sleepReading` / `sleepWriting`; the other side, finding the mark
 * (`readerToWake`, `writerToWake`), calls `wakeReader` / `wakeWriter`.
 */
export interface RingWakes {
  /** The reader marked itself asleep on `ring`: true if `readable` will run when records come, false if they came meanwhile (read on). */
  sleepReading(ring: ByteRing): boolean;
  /** The writer marked itself asleep on `ring`: true if `writable` will run when room is made, false if it was made meanwhile. */
  sleepWriting(ring: ByteRing): boolean;
  wakeReader(ring: ByteRing): void;
  wakeWriter(ring: ByteRing): void;
  /** The plane is done: no more wakes; a wait under way ends. */
  stop(): void;
}

/**
 * Between processes: each side's doorbell (one per process, watched by its
 * event loop), named in the ring's words, so the writer knows whom to ring.
 */
export class DoorbellWakes implements RingWakes {
  private stopListening: (() => void) | undefined;

  constructor(private readonly sleeper: Sleeper) {}

  /** This side reads `toUs` and writes `toThem`: its doorbell goes into both, and it listens. */
  own(toUs: ByteRing, toThem: ByteRing): void {
    toUs.readerBell = ME;
    toThem.writerBell = ME;
    this.listen();
  }

  sleepReading(): boolean {
    this.listen();
    return true;
  }

  sleepWriting(): boolean {
    this.listen();
    return true;
  }

  wakeReader(ring: ByteRing): void {
    if (ring.readerBell !== 0) Doorbell.get().ring(ring.readerBell);
  }

  wakeWriter(ring: ByteRing): void {
    if (ring.writerBell !== 0) Doorbell.get().ring(ring.writerBell);
  }

  stop(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private listen(): void {
    // One ring of the bell may be for either direction.
    this.stopListening ??= Doorbell.get().listen(() => {
      this.sleeper.readable();
      this.sleeper.writable();
    });
  }
}

/**
 * Between threads: `Atomics.notify` on the ring word the sleeper waits on
 * (`Atomics.waitAsync`), not doorbells. A write to a FIFO doorbell cost the
 * waking thread up to 0.65 ms in the task-pool row (a pipe's wake-up hands
 * the CPU to the woken thread); a notify posts a task to the sleeper's loop,
 * as `postMessage` does.
 */
export class AtomicsWakes implements RingWakes {
  /** The ring a wait is under way on, for reading and for writing (one each at most). */
  private readonly waits: { reading?: ByteRing | undefined; writing?: ByteRing | undefined } = {};
  private stopped = false;

  constructor(private readonly sleeper: Sleeper) {}

  sleepReading(ring: ByteRing): boolean {
    return this.sleep('reading', ring, () => ring.readerWaits(), this.sleeper.readable);
  }

  sleepWriting(ring: ByteRing): boolean {
    return this.sleep('writing', ring, () => ring.writerWaits(), this.sleeper.writable);
  }

  wakeReader(ring: ByteRing): void {
    ring.notifyReader();
  }

  wakeWriter(ring: ByteRing): void {
    ring.notifyWriter();
  }

  stop(): void {
    this.stopped = true;
    // Our own waits end now, rather than waiting for ever.
    this.waits.reading?.notifyReader();
    this.waits.writing?.notifyWriter();
  }

  private sleep(side: 'reading' | 'writing', ring: ByteRing, wait: () => Promise<unknown> | undefined, then: () => void): boolean {
    if (this.waits[side]) return true; // the wait under way is woken as well
    const woken = wait();
    if (!woken) return false;
    this.waits[side] = ring;
    void woken.then(() => {
      this.waits[side] = undefined;
      if (!this.stopped) then();
    });
    return true;
  }
}
