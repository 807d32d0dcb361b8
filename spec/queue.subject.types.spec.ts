/**
 * Type-level checks of the RxJS faces of queues and connections: this file
 * compiles only while the types are right (`npx tsc -p tsconfig.json` builds
 * spec/ too); each `@ts-expect-error` line fails the build if what it
 * refuses is accepted.
 */
import { expect } from 'chai';
import { type from, map, type Observable, type Observer, of, type Subscribable } from 'rxjs';
import type { Connection, JoinableQueue, Queue, SimpleQueue } from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(_: Equal<A, B>): void => undefined;

/** Never run: only compiled. */
function typeChecks(q: Queue<number>, jq: JoinableQueue<number>, sq: SimpleQueue<number>, conn: Connection<number>): void {
  // Observers: a source of the item type subscribes them.
  const observers: Observer<number>[] = [q, jq, sq, conn];
  of(1, 2).subscribe(q);
  of(1, 2).subscribe(jq);
  of(1, 2).subscribe(sq);
  of(1, 2).subscribe(conn);
  // @ts-expect-error a source of strings cannot feed a Queue<number>
  of('a').subscribe(q);
  // Subscribables and Observable inputs of their items.
  const subscribables: Subscribable<number>[] = [q, jq, sq, conn];
  same<ReturnType<typeof from<Queue<number>>>, Observable<number>>(true);
  same<ReturnType<typeof from<SimpleQueue<number>>>, Observable<number>>(true);
  same<ReturnType<typeof from<Connection<number>>>, Observable<number>>(true);
  // pipe keeps the operators' types.
  const doubled: Observable<string> = q.pipe(map((v) => String(v * 2)));
  const viaSimple: Observable<string> = sq.pipe(map((v) => String(v)));
  const viaConnection: Observable<string> = conn.pipe(map((v) => v.toFixed(1)));
  // @ts-expect-error the items are numbers, not strings
  q.pipe(map((v: string) => v));
  same<ReturnType<Queue<number>['asObservable']>, Observable<number>>(true);
  void [observers, subscribables, doubled, viaSimple, viaConnection];
}

describe('the RxJS faces’ types', () => {
  it('compile (see the checks above)', () => {
    expect(typeChecks).to.be.a('function');
  });
});
