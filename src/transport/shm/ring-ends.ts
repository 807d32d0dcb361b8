import type { ByteRing } from '../../core/ring/byte-ring.js';
import { nativeOrUndefined } from '../../native/native.js';
import { ME } from './bell-slots.js';
import { Doorbell, whileWaiting } from './doorbell.js';

/**
 * The two ends of a `ByteRing` in shared memory, each in its own thread or
 * process: the writer's writes wait for room without blocking its event
 * loop, the reader is handed each record in order; each side sleeps on its
 * thread's doorbell and is rung by the other only when it sleeps (see the
 * conversation in core/ring/byte-ring.ts).
 */
export class RingWriter {
  private readonly pending: { record: Uint8Array; resolve(): void }[] = [];
  private stopWaiting: (() => void) | undefined;

  constructor(private readonly ring: ByteRing) {
    ring.writerBell = ME;
  }

  /**
   * Resolves once `record` is in the ring: from then on it is the reader's,
   * even if this process dies. Waits (in order) while the ring is full.
   */
  write(record: Uint8Array): Promise<void> {
    if (this.ring.closed) return Promise.reject(new Error('this ring was closed by its writer'));
    if (this.pending.length === 0 && this.ring.tryWrite(record)) {
      this.wakeReader();
      return WRITTEN;
    }
    return new Promise<void>((resolve) => {
      this.pending.push({ record, resolve });
      if (this.pending.length === 1) this.flush();
    });
  }

  /** The last record is written: the reader ends once it has read every one. */
  close(): void {
    this.ring.close();
    this.wakeReader();
  }

  private flush(): void {
    for (;;) {
      let first = this.pending[0];
      while (first && this.ring.tryWrite(first.record)) {
        this.pending.shift();
        first.resolve();
        first = this.pending[0];
      }
      this.wakeReader();
      if (!first) return this.sleepNoMore();
      if (this.ring.writerSleeps(first.record.length)) {
        this.stopWaiting ??= whileWaiting(() => this.flush(), !nativeOrUndefined());
        return;
      }
    }
  }

  private sleepNoMore(): void {
    this.stopWaiting?.();
    this.stopWaiting = undefined;
  }

  private wakeReader(): void {
    if (this.ring.readerToWake()) ring(this.ring.readerBell);
  }
}

export class RingReader {
  private stopWaiting: (() => void) | undefined;
  private ended = false;

  constructor(
    private readonly ring: ByteRing,
    private readonly onRecord: (record: Uint8Array) => void,
    private readonly onEnd: () => void,
  ) {
    ring.readerBell = ME;
    this.drain();
  }

  /** Stops reading (what is still in the ring stays there). */
  stop(): void {
    this.ended = true;
    this.stopWaiting?.();
    this.stopWaiting = undefined;
  }

  private drain(): void {
    while (!this.ended) {
      let record = this.ring.tryRead();
      while (record) {
        this.onRecord(record);
        if (this.ended) return;
        record = this.ring.tryRead();
      }
      if (this.ring.writerToWake()) ring(this.ring.writerBell);
      if (this.ring.closed && this.ring.used === 0) {
        this.stop();
        this.onEnd();
        return;
      }
      if (this.ring.readerSleeps()) {
        this.stopWaiting ??= whileWaiting(() => this.drain(), !nativeOrUndefined());
        return;
      }
    }
  }
}

const WRITTEN = Promise.resolve();

function ring(bell: number): void {
  if (bell !== 0 && nativeOrUndefined()) Doorbell.get().ring(bell);
}
