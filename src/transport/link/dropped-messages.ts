import { writeSync } from 'node:fs';
import type { DroppedMessage } from '../../wire/batch.js';

/** The warning code of a message a link could not encode (and so dropped). */
export const ENCODE_FAILED = 'RXMP_ENCODE_FAILED';

/**
 * Reports messages a link could not encode. Every value was checked by
 * `fastClone` when it was put or sent, so this is an rxmp bug: loudly, as a
 * process warning, while the link and the process go on. A put's lost
 * items gave their slots back (see `encodeFrames`); its `put()` had resolved.
 * At exit a warning would never be printed, so it goes to stderr directly.
 */
export function reportDropped(dropped: readonly DroppedMessage[], atExit: boolean): void {
  for (const { message, error } of dropped) {
    const m = message as { t: string; q?: string; p?: string; items?: unknown[]; data?: unknown[] };
    const where = m.q !== undefined ? ` for queue ${m.q}` : m.p !== undefined ? ` for pipe ${m.p}` : '';
    const values = (m.items ?? m.data)?.length;
    const lost =
      values === undefined
        ? ''
        : ` (${values} value${values === 1 ? '' : 's'} lost${m.t === 'put' ? ', their slots given back to the queue' : ''})`;
    const reason = error instanceof Error ? error.message : String(error);
    const text = `rxmp could not encode a "${m.t}" message${where} and dropped it${lost}: ${reason}. This is an rxmp bug; please report it.`;
    if (atExit) {
      try {
        writeSync(2, `(node:${process.pid}) RxmpWarning [${ENCODE_FAILED}]: ${text}\n`);
      } catch {
        // no stderr left
      }
    } else {
      process.emitWarning(text, { type: 'RxmpWarning', code: ENCODE_FAILED });
    }
  }
}
