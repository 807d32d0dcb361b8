import type { MessagePort } from 'node:worker_threads';
import { Link } from '../link.js';
import type { Message } from '../../wire/protocol.js';

/**
 * A link over a worker_threads MessagePort (between a thread and its
 * parent): one `postMessage` per batch, structured-cloned by the runtime.
 */
export class PortLink extends Link {
  constructor(private readonly port: MessagePort) {
    super();
    port.on('message', (batch: Message[]) => this.deliver(batch));
    port.on('close', () => this.closedBy(undefined));
    // A link must not keep its thread alive by itself; the work it carries does.
    port.unref();
    this.markReady();
  }

  protected write(batch: Message[]): void {
    this.port.postMessage(batch);
  }

  protected settledWrites(): boolean {
    return true; // postMessage hands the batch over synchronously
  }

  protected end(): void {
    this.port.close();
  }
}
