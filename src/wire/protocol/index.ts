/**
 * The messages runtimes exchange over a link. Every frame carries a batch of
 * them, encoded with one serializer call per frame; items travel inline as
 * values (already copied by the `put` that made them). Each primitive's
 * messages, and the conversation they make, are in its own file.
 */
import type { Hello } from './link.js';
import type { PipeMsg } from './pipe.js';
import type { QueueRequest, QueueResponse } from './queue.js';

export type * from './link.js';
export type * from './pipe.js';
export type * from './queue.js';

export type Message = Hello | QueueRequest | QueueResponse | PipeMsg;
