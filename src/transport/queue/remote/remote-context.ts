import type { SchedulerLike } from 'rxjs';
import type { ClosedError } from '../../../errors.js';
import type { Link } from '../../link/link.js';

/** What the producer and consumer halves of a remote queue handle share. */
export interface RemoteContext {
  readonly id: string;
  readonly maxsize: number;
  readonly link: Link;
  readonly scheduler: SchedulerLike;
  /** Set once the link to the owner is gone. */
  failure(): ClosedError | undefined;
  /** Counts calls waiting on the owner (the link keeps the process alive while any does). */
  busy(delta: number): void;
  /** Asks for a sweep at the end of this turn (idle credits and unwanted items go back). */
  sweepSoon(): void;
}
