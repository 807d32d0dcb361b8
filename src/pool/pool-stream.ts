import { inspect } from 'node:util';
import { Observable } from 'rxjs';
import { TaskFeed, type TaskInput } from './task-feed.js';

/** Where one task's outcome goes. */
export interface Waiter {
  done(value: unknown): void;
  failed(error: unknown): void;
}

/** A call that still has inputs to submit. */
export interface Feeder {
  readonly feed: TaskFeed<unknown>;
  offer(item: unknown): void;
  ended(): void;
  failed(error: unknown): void;
}

/** What a call's stream needs of its pool. */
export interface StreamHost {
  /** Why a new call cannot start now, if it cannot. */
  refusal(): Error | undefined;
  /** Submits a task (a slot is free); returns its id. */
  submit(args: unknown[], waiter: Waiter): number;
  /** The task is still waiting for its outcome. */
  inFlight(id: number): boolean;
  /** Its caller left: its outcome is dropped when it comes. */
  drop(id: number): void;
  feed(feeder: Feeder): void;
  unfeed(feeder: Feeder): void;
  /** Inputs may be ready: submit what free slots allow. */
  pump(): void;
}

/**
 * One pool call over many inputs, as an Observable: inputs are submitted as
 * the pool frees slots; results are emitted in input order (`ordered`) or
 * as they come. A failed task errors the stream at its place. On
 * unsubscribe the call stops feeding (its input is let go) and the results
 * of its tasks still in flight are dropped.
 */
export function poolStream<R>(
  host: StreamHost,
  input: TaskInput<unknown>,
  toArgs: (item: unknown) => unknown[],
  ordered: boolean,
): Observable<R> {
  return new Observable<R>((subscriber) => {
    const refused = host.refusal();
    if (refused) return subscriber.error(refused);
    let submitted = 0;
    let next = 0; // the next index to emit, in order
    let fed = false;
    const ids = new Set<number>();
    const early = new Map<number, { value: unknown } | { error: unknown }>();
    const completeIfDone = (): void => {
      if (fed && ids.size === 0 && early.size === 0) subscriber.complete();
    };
    const emit = (outcome: { value: unknown } | { error: unknown }): boolean => {
      if ('error' in outcome) {
        subscriber.error(outcome.error);
        return false;
      }
      subscriber.next(outcome.value as R);
      return true;
    };
    const arrived = (index: number, outcome: { value: unknown } | { error: unknown }): void => {
      if (!ordered) {
        if (emit(outcome)) completeIfDone();
        return;
      }
      early.set(index, outcome);
      for (let first = early.get(next); first !== undefined; first = early.get(next)) {
        early.delete(next++);
        if (!emit(first)) return;
      }
      completeIfDone();
    };
    const feeder: Feeder = {
      feed: new TaskFeed(input, () => host.pump()),
      offer: (item) => {
        const index = submitted++;
        let id = -1;
        let args: unknown[];
        try {
          args = toArgs(item);
          if (!Array.isArray(args)) throw new TypeError(`starmap() inputs must be argument arrays, got ${inspect(item)}`);
        } catch (error) {
          return arrived(index, { error });
        }
        id = host.submit(args, {
          done: (value) => {
            ids.delete(id);
            arrived(index, { value });
          },
          failed: (error) => {
            ids.delete(id);
            arrived(index, { error });
          },
        });
        if (host.inFlight(id)) ids.add(id);
      },
      ended: () => {
        fed = true;
        completeIfDone();
      },
      failed: (error) => subscriber.error(error),
    };
    host.feed(feeder);
    return () => {
      host.unfeed(feeder);
      // Their tasks run on (a task cannot be taken back from a worker); their results are dropped.
      for (const id of ids) host.drop(id);
      ids.clear();
    };
  });
}
