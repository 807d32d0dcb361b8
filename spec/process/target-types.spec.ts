/**
 * Type-level checks of a typed `Process`: this file compiles only while the
 * types are right (`npx tsc -p tsconfig.json` builds spec/ too); each
 * `@ts-expect-error` line fails the build if what it refuses is accepted.
 */
import { expect } from 'chai';
import type { Observable } from 'rxjs';
import { type Connection, Pipe, Process, type Queue } from '../../src/index.js';
import type leftWriting from '../fixtures/left-writing.js';
import type { endless } from '../fixtures/left-writing.js';
import type produce from '../fixtures/produce.js';
import type returns from '../fixtures/returns.js';
import type { streams } from '../fixtures/returns.js';
import type sleepy from '../fixtures/sleepy.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(_: Equal<A, B>): void => undefined;
const target = (name: string): URL => new URL(`../fixtures/${name}.js`, import.meta.url);

/** Never run: only compiled. */
function typeChecks(q: Queue<number>, reports: Queue<string>, conn: Connection<number>): void {
  // args are checked against the target's parameters; handles pass as themselves.
  new Process<typeof produce>({ target: target('produce'), args: [q, 3] });
  new Process<typeof produce>({ target: target('produce'), args: [q, 3, 1] });
  // @ts-expect-error a Queue<string> is not a Queue<number>
  new Process<typeof produce>({ target: target('produce'), args: [reports, 3] });
  // @ts-expect-error the count must be a number
  new Process<typeof produce>({ target: target('produce'), args: [q, '3'] });
  // @ts-expect-error too many arguments
  new Process<typeof produce>({ target: target('produce'), args: [q, 3, 1, 2] });
  // @ts-expect-error a target with required parameters needs args
  new Process<typeof produce>({ target: target('produce') });
  new Process<typeof leftWriting>({ target: target('left-writing'), args: [conn, 20] });
  // @ts-expect-error a Queue is not a Connection
  new Process<typeof leftWriting>({ target: target('left-writing'), args: [q, 20] });

  // result is the awaited return value; output$ the values of an Observable target.
  const r = new Process<typeof returns>({ target: target('returns'), args: [1, 2] });
  same<typeof r.result, Promise<{ sum: number; at: Date }>>(true);
  same<typeof r.output$, Observable<never>>(true);
  const s = new Process<typeof streams>({ target: target('returns'), export: 'streams', args: [1] });
  same<typeof s.output$, Observable<number>>(true);
  same<typeof s.result, Promise<undefined>>(true);
  const e = new Process<typeof endless>({ target: target('left-writing'), export: 'endless', args: [reports] });
  same<typeof e.output$, Observable<number>>(true);
  const v = new Process<typeof sleepy>({ target: target('sleepy'), args: [1] });
  same<typeof v.result, Promise<void>>(true);

  // Untyped stays as it was: any args, unknown back.
  const u = new Process({ target: target('echo'), args: [1, 'two', q] });
  const none = new Process({ target: target('sleepy') });
  same<typeof u.output$, Observable<unknown>>(true);
  same<typeof none.result, Promise<unknown>>(true);
  // @ts-expect-error args is still an array
  new Process({ target: target('echo'), args: 'x' });
}

describe('Process typing', () => {
  it('is checked at compile time (this spec compiles only while the types hold)', () => {
    expect(typeChecks).to.be.a('function');
    const [a, b] = Pipe<number>();
    void a.close();
    void b.close();
  });
});
