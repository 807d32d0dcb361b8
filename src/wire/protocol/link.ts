import { isString, type Shape } from './checks.js';

/** What every link carries besides the primitives' own messages. */

/** Where a runtime can be reached: its id, and its listener's socket path once it listens. */
export interface Address {
  readonly id: string;
  readonly path?: string;
}

/** First message on every link, each way. */
export interface Hello {
  t: 'hello';
  id: string;
}

/** The fields each link message must carry. */
export const LINK_SHAPES: Record<Hello['t'], Shape> = {
  hello: { id: isString },
};
