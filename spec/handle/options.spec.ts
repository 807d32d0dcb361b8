import { expect } from 'chai';
import { consume, Pipe, Process, Queue } from '../../src/index.js';
import { checkMaxsize, checkSendRange, checkTimeout, quote } from '../../src/handle/options.js';
import { expectRejection } from '../support/async.js';

describe('argument checks', () => {
  it('timeouts: undefined waits forever, 0 and Infinity are fine, negatives and NaN are RangeErrors', () => {
    expect(checkTimeout(undefined)).to.equal(undefined);
    expect(checkTimeout(0)).to.equal(0);
    expect(checkTimeout(Infinity)).to.equal(Infinity);
    expect(() => checkTimeout(-1)).to.throw(RangeError, '-1');
    expect(() => checkTimeout(Number.NaN)).to.throw(RangeError, 'NaN');
    expect(() => checkTimeout(null)).to.throw(TypeError, 'null');
  });

  it('a timeout longer than a timer can hold means no deadline (it would otherwise fire at once)', () => {
    expect(checkTimeout(2 ** 31)).to.equal(Infinity);
    expect(checkTimeout(2 ** 31 - 1)).to.equal(2 ** 31 - 1);
  });

  it('maxsize: ≤ 0 and Infinity mean unbounded; fractions are RangeErrors', () => {
    expect(checkMaxsize(0)).to.equal(Infinity);
    expect(checkMaxsize(-3)).to.equal(Infinity);
    expect(checkMaxsize(5)).to.equal(5);
    expect(() => checkMaxsize(2.5)).to.throw(RangeError, '2.5');
  });

  it('send ranges count bytes and follow Python’s rules', () => {
    expect(checkSendRange(new Uint8Array(4), 4, undefined).byteLength).to.equal(0);
    expect(checkSendRange(new Uint32Array(2), 1, 6).byteLength).to.equal(6);
    expect(() => checkSendRange(new Uint8Array(4), 1, 4)).to.throw(RangeError, 'offset + size');
  });

  it('quotes values for messages', () => {
    expect(quote('x')).to.equal('"x"');
    expect(quote(3n)).to.equal('3n');
    expect(quote({ a: 1 })).to.equal('{"a":1}');
    expect(quote(function named() {})).to.equal('function named');
  });

  describe('option objects are checked strictly: an unknown key is a TypeError naming it', () => {
    const target = new URL('../fixtures/sleepy.js', import.meta.url);

    it('new Queue({ maxSize: 10 }) (a misspelt maxsize would make an unbounded queue)', () => {
      expect(() => new Queue({ maxSize: 10 } as never))
        .to.throw(TypeError, '"maxSize"')
        .with.property('message')
        .that.contains('did you mean "maxsize"');
    });

    it('get({ timout: 10 }) and put(x, { timout: 10 }) reject (a misspelt timeout would wait forever)', async () => {
      const q = new Queue<number>();
      const get = await expectRejection(q.get({ timout: 10 } as never), TypeError);
      expect(get.message).to.contain('"timout"').and.contain('did you mean "timeout"');
      await expectRejection(q.put(1, { timout: 10 } as never), TypeError);
      expect(() => q.observe({ prefech: 4 } as never)).to.throw(TypeError, '"prefech"');
      expect(await q.qsize()).to.equal(0);
    });

    it('consume(q, fn, { concurency: 4 })', () => {
      expect(() => consume(new Queue<number>(), (n: number) => [n], { concurency: 4 } as never)).to.throw(TypeError, '"concurency"');
    });

    it('Pipe({ duplx: false }) and a connection’s send/recv options', async () => {
      expect(() => Pipe({ duplx: false } as never)).to.throw(TypeError, '"duplx"');
      expect(() => Pipe(true, { windw: 10 } as never)).to.throw(TypeError, '"windw"');
      const [a, b] = Pipe<number>();
      await expectRejection(a.send(1, { timeuot: 5 } as never), TypeError);
      await expectRejection(b.recv({ sigal: undefined } as never), TypeError);
      await a.close();
      await b.close();
    });

    it('new Process({ target, timeout }) (Process has no timeout option)', () => {
      expect(() => new Process({ target, timeout: 10 } as never)).to.throw(TypeError, '"timeout"');
    });
  });
});
