import { decodeBatch } from '../../wire/batch.js';
import type { Message } from '../../wire/protocol/index.js';
import { Link } from './link.js';

/**
 * Two links joined in memory, for two runtimes inside one process (unit
 * specs of the services that otherwise only meet across real processes).
 * Batches are encoded and decoded exactly as on a socket, and arrive on a
 * later turn, in order, as they would from another process.
 */
export class MemoryLink extends Link {
  private other: MemoryLink | undefined;

  private constructor() {
    super();
    this.markReady();
  }

  /** Two connected ends. */
  static pair(): [MemoryLink, MemoryLink] {
    const a = new MemoryLink();
    const b = new MemoryLink();
    a.other = b;
    b.other = a;
    return [a, b];
  }

  hold(): void {}

  release(): void {}

  /** Cuts both ends off: this one closes with the failure, the other as if its peer hung up. */
  protected abort(): void {
    this.hangUp();
  }

  protected writeFrames(frames: Uint8Array[]): void {
    for (const frame of frames) {
      // A copy of exactly the bytes, as a socket would carry them.
      const bytes = Buffer.allocUnsafeSlow(frame.byteLength);
      bytes.set(frame);
      const other = this.other;
      setImmediate(() => other?.receive(bytes));
    }
  }

  protected settledWrites(): boolean {
    return true;
  }

  /** Closes both ends once what was written before has arrived. */
  protected end(): void {
    setImmediate(() => this.hangUp());
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed || this.failure) return;
    let batch: Message[];
    try {
      batch = decodeBatch(bytes);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.deliver(batch);
  }

  private hangUp(): void {
    const other = this.other;
    this.other = undefined;
    this.closedBy(this.failure);
    if (other) {
      other.other = undefined;
      other.closedBy(other.failure);
    }
  }
}
