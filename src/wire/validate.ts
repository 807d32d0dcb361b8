import { ProtocolError } from '../errors.js';
import type { Check, Shape } from './protocol/checks.js';
import type { Message } from './protocol/index.js';
import { LINK_SHAPES } from './protocol/link.js';
import { PIPE_SHAPES } from './protocol/pipe.js';
import { QUEUE_SHAPES } from './protocol/queue.js';

export { MAX_COUNT } from './protocol/checks.js';
export { MAX_FETCH } from './protocol/queue.js';

/** Every message type, with the shape its primitive declares for it. */
const SHAPES: Record<Message['t'], Shape> = { ...LINK_SHAPES, ...QUEUE_SHAPES, ...PIPE_SHAPES };

/**
 * Checks a decoded message's type and the fields the receiver relies on
 * (counts are non-negative safe integers within bounds, lists are arrays),
 * so that a broken peer is refused with a `ProtocolError` before any state
 * changes, instead of sending the receiver into a loop or a bad state.
 */
export function checkMessage(message: unknown): asserts message is Message {
  if (typeof message !== 'object' || message === null) throw new ProtocolError(`a message must be an object`);
  const t = (message as { t: unknown }).t;
  const shape = typeof t === 'string' && Object.hasOwn(SHAPES, t) ? SHAPES[t as Message['t']] : undefined;
  if (!shape) throw new ProtocolError(`unknown message type ${JSON.stringify(t)}`);
  for (const field in shape) {
    if (!(shape[field] as Check)((message as Record<string, unknown>)[field])) {
      throw new ProtocolError(`bad ${JSON.stringify(field)} in a message of type ${JSON.stringify(t)}`);
    }
  }
}
