/** Handle passing with real children: checked before anything moves, descriptions out of band. */
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { ClosedError, Pipe, Process } from '../../src/index.js';
import { settles } from '../support/async.js';
import { startChild } from '../support/children.js';

const fixture = (name: string) => new URL(`../fixtures/${name}.js`, import.meta.url);

describe('handle passing', function () {
  this.timeout(30_000);

  it('start() checks every handle before anything moves: with a closed pipe end among the args it throws, and an open end beside it still talks to its peer', async () => {
    const [open, peer] = Pipe<string>();
    const [closed] = Pipe<string>();
    await closed.close();
    const p = new Process({ target: fixture('echo'), args: [open, closed] });
    expect(() => p.start()).to.throw(ClosedError);
    expect(p.pid).to.equal(undefined);
    await open.send('still here');
    expect(await settles(peer.recv())).to.equal('still here');
    await peer.close();
    await open.close();
  });

  it('the same pipe end twice in the args moves once and arrives as one object', async () => {
    const [a, b] = Pipe<number>();
    const p = startChild('pipe-echo', { args: [a, a] });
    await b.send(21);
    expect(await settles(b.recv())).to.equal(42);
    await b.close();
    expect(await p.join()).to.equal(0);
  });

  it('a user value shaped like a handle description reaches the child, and comes back, as the plain value it is', async () => {
    const lookalike = { __rxmp_handle__: 'queue', kind: 'Queue', id: 'not/a/queue', maxsize: 1, owner: { id: 'nobody' } };
    const p = startChild('echo', { args: [lookalike] });
    expect(await lastValueFrom(p.output$.pipe(toArray()))).to.deep.equal([lookalike]);
    expect(await p.join()).to.equal(0);
  });
});
