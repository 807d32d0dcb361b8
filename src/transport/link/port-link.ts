import type { MessagePort } from 'node:worker_threads';
import { Link } from './link.js';
import { decodeBatch, encodeBatch } from '../../wire/batch.js';
import type { Message } from '../../wire/protocol/index.js';

/**
 * A link over a worker_threads MessagePort (between a thread and its
 * parent): one `postMessage` of one encoded batch per turn.
 */
export class PortLink extends Link {
  constructor(private readonly port: MessagePort) {
    super();
    port.on('message', (bytes: Uint8Array) => {
      let batch: Message[];
      try {
        batch = decodeBatch(bytes);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      this.deliver(batch);
    });
    port.on('close', () => this.closedBy(this.failure));
    // A link must not keep its thread alive by itself; the work it carries does.
    port.unref();
    this.markReady();
  }

  private holds = 0;

  hold(): void {
    if (this.holds++ === 0) this.port.ref();
  }

  release(): void {
    if (--this.holds === 0) this.port.unref();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.port.close();
  }

  private failure: Error | undefined;

  protected write(batch: Message[]): void {
    // One encoder call per batch, as on a socket; the port copies the bytes over.
    this.port.postMessage(encodeBatch(batch));
  }

  protected settledWrites(): boolean {
    return true; // postMessage hands the batch over synchronously
  }

  protected end(): void {
    this.port.close();
  }
}
