/** One-message records in a link's ring: what goes in comes out, folded into the messages a batch would have carried. */
import { expect } from 'chai';
import { RecordReader, RecordWriter } from '../../../src/transport/link/ring-records.js';
import type { PipeDataMsg, PutMsg } from '../../../src/wire/protocol/index.js';

/** A writer and a reader joined as a ring would join them: each record written is copied out in order. */
function channel() {
  const writer = new RecordWriter();
  const got: (PutMsg | PipeDataMsg)[] = [];
  const reader = new RecordReader((m) => got.push(m));
  const record = (body: Uint8Array): Uint8Array => {
    const r = new Uint8Array(writer.headLength + body.length);
    r.set(writer.head.subarray(0, writer.headLength));
    r.set(body, writer.headLength);
    return r;
  };
  return {
    writer,
    got,
    reader,
    put(q: string, item: unknown): void {
      expect(writer.putHead(q)).to.equal(true);
      const r = record(writer.body(item));
      reader.read(r);
    },
    send(p: string, e: number, seq: number, value: unknown): void {
      const raw = value instanceof Uint8Array;
      expect(writer.pdataHead(p, e, seq, raw)).to.equal(true);
      const r = record(raw ? value : writer.body(value));
      reader.read(r);
    },
  };
}

describe('ring records', () => {
  it('numbers come back as they went, written without msgpackr (a fixint or a float64); -0 comes back as 0, as in a batch', () => {
    const c = channel();
    const numbers = [
      0,
      1,
      127,
      128,
      -1,
      2 ** 31,
      2 ** 53 - 1,
      -(2 ** 53),
      0.5,
      Math.PI,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Infinity,
      -Infinity,
    ];
    for (const n of numbers) c.put('q', n);
    c.put('q', -0);
    c.put('q', Number.NaN);
    c.reader.flush();
    const items = (c.got[0] as PutMsg).items;
    expect(items.slice(0, numbers.length)).to.deep.equal(numbers);
    expect(Object.is(items[numbers.length], 0)).to.equal(true);
    expect(Number.isNaN(items[numbers.length + 1])).to.equal(true);
  });

  it('a run of puts into one queue is one put message; another queue, or anything else read, starts a new one', () => {
    const c = channel();
    c.put('a', 1);
    c.put('a', { x: [1, 2] });
    c.put('b', 'two');
    c.put('a', 3);
    c.reader.flush();
    c.put('a', 4);
    c.reader.flush();
    expect(c.got).to.deep.equal([
      { t: 'put', q: 'a', items: [1, { x: [1, 2] }] },
      { t: 'put', q: 'b', items: ['two'] },
      { t: 'put', q: 'a', items: [3] },
      { t: 'put', q: 'a', items: [4] },
    ]);
  });

  it('pipe messages fold while their sequence numbers follow one another, raw bytes marked as such', () => {
    const c = channel();
    const big = 2 ** 40 + 7; // past 32 bits: the sequence number is written in two halves
    c.send('p', 1, big, 'a');
    c.send('p', 1, big + 1, new Uint8Array([1, 2, 3]));
    c.send('p', 1, big + 2, { b: 2 });
    c.send('p', 0, 1, 'other end');
    c.send('p', 0, 3, 'a gap');
    c.reader.flush();
    expect(c.got).to.deep.equal([
      { t: 'pdata', p: 'p', e: 1, seq: big, data: ['a', new Uint8Array([1, 2, 3]), { b: 2 }], raw: [1] },
      { t: 'pdata', p: 'p', e: 0, seq: 1, data: ['other end'] },
      { t: 'pdata', p: 'p', e: 0, seq: 3, data: ['a gap'] },
    ]);
    const bytes = (c.got[0] as PipeDataMsg).data[1] as Uint8Array;
    expect(bytes.byteOffset, 'raw bytes arrive in a buffer of their own').to.equal(0);
    expect(bytes.buffer.byteLength).to.equal(3);
  });

  it('an object shape is defined once, in the first record that uses it, and records stay small after it', () => {
    const c = channel();
    const shape = (i: number) => ({ id: i, name: `n${i}`, tags: ['a'], score: 0.5 });
    expect(c.writer.putHead('q')).to.equal(true);
    const first = c.writer.body(shape(1)).length;
    expect(c.writer.putHead('q')).to.equal(true);
    const later = c.writer.body(shape(2)).length;
    expect(later).to.be.lessThan(first);
  });

  it('a record made and not written (no room in the ring): the writer starts afresh, and the reader decodes what follows', () => {
    const c = channel();
    const shape = (i: number) => ({ id: i, name: `n${i}`, deep: { x: i } });
    c.put('q', shape(1));
    // Made, then dropped: it defines the shape of { other, fields } that the reader never sees.
    expect(c.writer.putHead('q')).to.equal(true);
    c.writer.body({ other: 1, fields: 2 });
    c.writer.notWritten();
    c.put('q', { other: 3, fields: 4 });
    c.put('q', shape(2));
    c.reader.flush();
    expect(c.got).to.deep.equal([{ t: 'put', q: 'q', items: [shape(1), { other: 3, fields: 4 }, shape(2)] }]);
  });

  it('a malformed record is a ProtocolError', () => {
    const reader = new RecordReader(() => undefined);
    for (const bad of [
      [0xc1, 9, 0, 1], // an unknown kind
      [0xc1, 1, 200, 1], // an id running past the end
      [0xc1, 1, 1, 0x71], // a put with no item
      [0xc1, 2, 1, 0x70, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], // end 2
      [0xc1, 2, 1, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], // seq 0
      [0xc1, 1, 1, 0x71, 0xd9, 0x10, 0x61], // an item msgpack cannot read (a string cut short)
    ]) {
      expect(() => reader.read(new Uint8Array(bad)), JSON.stringify(bad))
        .to.throw()
        .with.property('name', 'ProtocolError');
    }
  });
});
