import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, checkScheduler, checkWaitOptions, type WaitOptions } from '../handle/options.js';
import { type SharedWaitSteps, sharedWait } from '../handle/shared-wait.js';
import { once, remember } from '../transport/shm/identity.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { EVENT_BYTES, SharedEvent } from '../transport/shm/shared-event.js';
import type { HandleKind } from '../handle/handle-kinds.js';

/** Options for `new Event()`. */
export interface EventOptions {
  /** Where `wait` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

interface EventPlace {
  mapping: Mapping;
  offset: number;
}

const kPlace = Symbol('rxmp.event.place');
let placing: EventPlace | undefined;

/**
 * A flag shared by threads and processes (Python's `multiprocessing.Event`):
 * `set()` wakes every waiter, `clear()` resets it, `wait()` resolves once it
 * is set. It lives in shared memory, and `set()` never waits for anyone, so
 * a waiter that dies cannot hold it up.
 *
 * @example
 * const ready = new Event();
 * new Process({ target, args: [ready] }).start();  // the child calls ready.set()
 * await ready.wait({ timeout: 5000 });
 */
export class Event {
  /** @internal */
  readonly [kPlace]: EventPlace;
  private readonly event: SharedEvent;
  private readonly scheduler: SchedulerLike;

  constructor(options?: EventOptions) {
    const o = checkOptions<EventOptions>(options ?? {}, 'Event options', ['scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    this[kPlace] = placing ?? { mapping: Mapping.anonymous(EVENT_BYTES), offset: 0 };
    placing = undefined;
    this.event = new SharedEvent(this[kPlace].mapping.buffer, this[kPlace].offset);
    remember(eventKey(this[kPlace]), this);
  }

  /** Whether the flag is set now. */
  isSet(): boolean {
    return this.event.isSet();
  }

  /** Sets the flag and wakes every waiter, in every thread and process. */
  set(): void {
    this.event.set();
  }

  /** Resets the flag: later `wait()`s wait again. */
  clear(): void {
    this.event.clear();
  }

  /**
   * Resolves `true` once the flag is set (at once if it is), `false` after
   * `timeout` ms without it (Python returns the flag; this never returns
   * false early). An aborted signal withdraws the wait and rejects with its reason.
   */
  wait(options?: WaitOptions): Promise<boolean> {
    return sharedWait(options, checkWaitOptions, this.scheduler, this.waitSteps);
  }

  private readonly waitSteps: SharedWaitSteps = {
    now: () => this.event.isSet(),
    enter: (granted) => {
      const withdraw = this.event.wait(granted);
      return () => {
        withdraw();
        return false; // a set wakes its waiters at once: nothing was granted unseen
      };
    },
  };

  /** Emits once (and completes) when the flag is set; unsubscribing withdraws the wait. */
  wait$(): Observable<void> {
    return new Observable<void>((subscriber) => {
      const withdraw = this.event.wait(() => {
        subscriber.next();
        subscriber.complete();
      });
      return withdraw;
    });
  }
}

markHandle(Event, 'event');

function eventKey(place: EventPlace): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `event:${key}:${place.offset}`;
}

export interface EventDescriptor {
  memory: MemoryDescriptor;
  offset: number;
}

/** How an Event travels: as where its words are. */
export const eventKind: HandleKind<Event, EventDescriptor> = {
  name: 'event',
  check: (e, crossing) => e[kPlace].mapping.check(crossing, 'an Event'),
  export: (e, _runtime, crossing) => ({ memory: e[kPlace].mapping.describe(crossing), offset: e[kPlace].offset }),
  revive(d) {
    const place = { mapping: Mapping.revive(d.memory), offset: d.offset };
    return once(eventKey(place), () => {
      placing = place;
      try {
        return new Event();
      } finally {
        placing = undefined;
      }
    });
  },
};
