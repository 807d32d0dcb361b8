/**
 * A value that crosses to another process or thread arrives as it would in
 * one process (see fastClone): refused the same way, or carried faithfully —
 * Buffers, exact typed-array bytes, Errors with their stack and cause — and
 * rxmp's errors keep their context fields.
 */
import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Full, Queue, SerializationError } from '../../src/index.js';
import type { PutReport } from '../fixtures/put-values.js';
import { samples } from '../fixtures/put-samples.js';
import { makeValue, type ValueKind } from '../fixtures/value-kinds.js';
import { expectRejection, settles } from '../support/async.js';
import { startChild } from '../support/children.js';

const refused: [ValueKind, string][] = [
  ['sab', '$.shared'],
  ['sabView', '$.view'],
  ['blob', '$.file'],
  ['loneSurrogate', '$.text'],
  ['loneSurrogateKey', '$["k\\udc00"]'],
];

/** Checks a sample object (see fixtures/put-samples) as it arrived. */
function checkSamples(got: Record<string, unknown>, stacks?: Record<string, string | undefined>): void {
  const buffer = got.buffer as Buffer;
  expect(Buffer.isBuffer(buffer), 'a Buffer arrives as a Buffer').to.equal(true);
  expect(buffer.toString()).to.equal('hi');
  const view = got.view as Uint8Array;
  expect(view).to.be.instanceOf(Uint8Array);
  expect(Buffer.isBuffer(view)).to.equal(false);
  expect([...view]).to.deep.equal([4, 5, 6, 7]);
  expect([view.byteOffset, view.buffer.byteLength], 'exactly its bytes').to.deep.equal([0, 4]);
  expect(Object.is((got.floats as Float64Array)[1], -0)).to.equal(true);
  const error = got.error as Error;
  expect(error).to.be.instanceOf(RangeError);
  expect(error.message).to.equal('outer');
  expect(error.cause).to.be.instanceOf(TypeError);
  expect(Object.getOwnPropertyDescriptor(error, 'cause')?.enumerable).to.equal(false);
  const custom = got.custom as Error;
  expect(Object.getPrototypeOf(custom)).to.equal(Error.prototype);
  expect(custom.message).to.equal('mine');
  expect(Object.hasOwn(got.noCause as Error, 'cause')).to.equal(false);
  if (stacks) {
    expect(error.stack).to.equal(stacks.error);
    expect((error.cause as Error).stack).to.equal(stacks.cause);
    expect(custom.stack).to.equal(stacks.custom);
  }
  expect((got.date as Date).getTime()).to.equal(5);
  expect((got.map as Map<number, unknown>).get(1)).to.deep.equal({ a: [1, 2] });
  expect(got.big).to.equal(2n ** 70n);
}

describe('values in one process', () => {
  for (const [kind, path] of refused) {
    it(`put() of a ${kind} value rejects SerializationError at ${path}, enqueueing nothing`, async () => {
      const q = new Queue<unknown>();
      const error = await expectRejection(q.put(makeValue(kind)), SerializationError);
      expect(error.path).to.equal(path);
      expect(await q.qsize()).to.equal(0);
    });
  }

  it('a Buffer arrives as a Buffer, a typed array as exactly its bytes, an Error with its stack and cause', async () => {
    const q = new Queue<unknown>();
    const value = samples();
    await q.put(value);
    const error = value.error as Error;
    checkSamples((await q.get()) as Record<string, unknown>, {
      error: error.stack,
      cause: (error.cause as Error).stack,
      custom: (value.custom as Error).stack,
    });
  });
});

for (const kind of ['fork', 'thread'] as const) {
  describe(`values put in a ${kind} child`, function () {
    this.timeout(60_000);

    it('the values refused in one process are refused in the child too, at the same path', async () => {
      const q = new Queue<unknown>();
      const child = startChild('put-values', { args: [q, refused.map(([k]) => k)], kind });
      const reports = (await settles(firstValueFrom(child.output$))) as PutReport[];
      expect(reports.map((r) => [r.outcome, r.path])).to.deep.equal(refused.map(([, path]) => ['SerializationError', path]));
      expect(await settles(q.get())).to.equal('good');
      expect(await child.join()).to.equal(0);
    });

    it('a Buffer arrives as a Buffer, a typed array as exactly its bytes, an Error with the stack and cause it had in the child', async () => {
      const q = new Queue<unknown>();
      const child = startChild('put-samples', { args: [q], kind });
      const stacks = (await settles(firstValueFrom(child.output$))) as Record<string, string | undefined>;
      checkSamples((await settles(q.get())) as Record<string, unknown>, stacks);
      expect(await child.join()).to.equal(0);
    });

    it('an error that ends output$ keeps its class, its context fields, its stack and its cause with their fields', async () => {
      const child = startChild('error-context', { kind });
      const outcome = await lastValueFrom(child.output$.pipe(toArray())).then(
        () => undefined,
        (error: unknown) => error,
      );
      const full = outcome as Full;
      expect(full).to.be.instanceOf(Full);
      expect([full.maxsize, full.timeout, full.message]).to.deep.equal([3, 7, 'no room']);
      expect(full.stack).to.contain('error-context');
      const cause = full.cause as RangeError & { code: string; detail: unknown };
      expect(cause).to.be.instanceOf(RangeError);
      expect([cause.message, cause.code]).to.deep.equal(['disk quota', 'EQUOTA']);
      expect(cause.detail).to.deep.equal({ used: 5n, limits: [1, 2] });
      await child.join();
    });
  });
}
