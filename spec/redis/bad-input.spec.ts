import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { createClient } from 'redis';
import { Empty, SerializationError } from '../../src/index.js';
import { ForeignItemError, RedisError, RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settles } from '../support/async.js';
import { needRedis, type RedisServer, sharedRedis, startRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

describe('rxmp/redis: bad input', function () {
  this.timeout(60_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  /** A raw node-redis client on the shared server, closed after the test. */
  const raw = async () => {
    const client = createClient({ url });
    await client.connect();
    closeAfterTest({ close: async () => client.destroy() });
    return client;
  };

  describe('options', () => {
    it('rejects missing, misspelt and bad options with a TypeError or RangeError naming the option', () => {
      const cases: [unknown, ErrorConstructor, string][] = [
        [undefined, TypeError, 'name'],
        [{}, TypeError, 'name'],
        [{ name: 7 }, TypeError, 'name'],
        [{ name: '' }, RangeError, 'name'],
        [{ name: 'q', url: 6379 }, TypeError, 'url'],
        [{ name: 'q', url: 'http://x' }, RangeError, 'url'],
        [{ name: 'q', maxsize: 1.5 }, RangeError, 'maxsize'],
        [{ name: 'q', maxsize: '3' }, TypeError, 'maxsize'],
        [{ name: 'q', heartbeat: 5 }, RangeError, 'heartbeat'],
        [{ name: 'q', heartbeat: '1s' }, TypeError, 'heartbeat'],
        [{ name: 'q', maxSize: 3 }, TypeError, 'maxSize'],
        [{ name: 'q', scheduler: {} }, TypeError, 'scheduler'],
      ];
      for (const [options, type, named] of cases) {
        for (const make of [(o: never) => new RedisQueue(o), (o: never) => new RedisJoinableQueue(o)]) {
          expect(() => make(options as never), JSON.stringify(options)).to.throw(type, named);
        }
      }
    });

    it('connects to nothing while constructing: a bad host fails only at the first call', async () => {
      const q = closeAfterTest(new RedisQueue<number>({ name: uniqueName('lazy'), url: 'redis://127.0.0.1:1' }));
      expect(q.closed).to.equal(false);
      await expectRejection(q.put(1), RedisError);
    });
  });

  it('without the redis package installed, the first call rejects RedisError (MODULE_NOT_FOUND) saying what to install', () => {
    // A child whose resolver cannot find `redis`, as where the optional peer dependency is absent.
    const hook = `export async function resolve(s, c, n) {
      if (s === 'redis') throw Object.assign(new Error('Cannot find package redis'), { code: 'ERR_MODULE_NOT_FOUND' });
      return n(s, c);
    }`;
    const entry = new URL('../../src/redis/index.js', import.meta.url).href;
    const program = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { RedisQueue } = await import(${JSON.stringify(entry)});
      const q = new RedisQueue({ name: 'x', url: 'redis://127.0.0.1:1' });
      const e = await q.put(1).then(() => undefined, (e) => e);
      await q.close();
      console.log(JSON.stringify({ name: e?.name, code: e?.code, message: e?.message }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 20_000 });
    const error = JSON.parse(out.trim()) as { name: string; code: string; message: string };
    expect(error).to.deep.include({ name: 'RedisError', code: 'MODULE_NOT_FOUND' });
    expect(error.message).to.contain('npm install redis');
  });

  describe('values', () => {
    it('a value that cannot be encoded rejects SerializationError at put, and nothing reaches the server', async () => {
      const name = uniqueName('uncloneable');
      const q = closeAfterTest(new RedisQueue<unknown>({ name, url }));
      const error = await expectRejection(q.put({ job: { run: () => 1 } }), SerializationError);
      expect(error.path).to.equal('$.job.run');
      await expectRejection(q.put(Symbol('s')), SerializationError);
      const client = await raw();
      expect(await client.lLen(`{rxmp:${name}}:items`)).to.equal(0);
      await q.put('fine');
      expect(await client.lLen(`{rxmp:${name}}:items`)).to.equal(1);
    });

    for (const Kind of [RedisQueue, RedisJoinableQueue]) {
      it(`${Kind.name}: a foreign value in the list rejects that get with ForeignItemError naming queue and key; it is moved aside and the next get goes on`, async () => {
        const name = uniqueName('foreign');
        const q = closeAfterTest(new Kind<string>({ name, url }));
        await q.put('before');
        const client = await raw();
        await client.rPush(`{rxmp:${name}}:items`, 'plain text, not rxmp');
        await q.put('after');
        expect(await q.get()).to.equal('before');
        const error = await expectRejection(q.get(), ForeignItemError);
        expect(error).to.be.instanceOf(RedisError);
        expect(error.queue).to.equal(name);
        expect(error.key).to.equal(`{rxmp:${name}}:items`);
        expect(error.message).to.contain(name);
        expect(Buffer.from(error.bytes).toString()).to.equal('plain text, not rxmp');
        expect(await q.get()).to.equal('after');
        expect(await client.lRange(`{rxmp:${name}}:foreign`, 0, -1)).to.deep.equal(['plain text, not rxmp']);
        expect(await client.lLen(`{rxmp:${name}}:items`)).to.equal(0);
      });
    }

    it('a foreign value that reaches a blocked get (BLMOVE) is moved aside too; nothing stays in the processing list', async () => {
      const name = uniqueName('foreign-blocked');
      const q = closeAfterTest(new RedisJoinableQueue<string>({ name, url }));
      const waiting = expectRejection(q.get(), ForeignItemError);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const client = await raw();
      await client.rPush(`{rxmp:${name}}:items`, '\x00\x01garbage');
      await waiting;
      await q.put('next');
      expect(await q.get()).to.equal('next');
      q.taskDone();
      const processing = await client.keys(`{rxmp:${name}}:processing:*`);
      for (const key of processing) expect(await client.lLen(key)).to.equal(0);
      expect(await client.lLen(`{rxmp:${name}}:foreign`)).to.equal(1);
    });

    it('an entry whose header is rxmp’s but whose body is not msgpack is foreign too', async () => {
      const name = uniqueName('foreign-body');
      const q = closeAfterTest(new RedisQueue<string>({ name, url }));
      const client = await raw();
      await client.rPush(`{rxmp:${name}}:items`, Buffer.from([0x72, 0x78, 0x01, 0, 0, 0, 0, 0x92]));
      await expectRejection(q.get({ timeout: 1000 }), ForeignItemError);
      await expectRejection(q.get({ timeout: 0 }), Empty);
    });
  });

  describe('servers', () => {
    let server: RedisServer | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('no server there: put, get, qsize, end and join reject RedisError (ECONNREFUSED), never hang; a later call tries again', async () => {
      server = await startRedis();
      const port = server.port;
      await server.kill();
      const q = closeAfterTest(new RedisJoinableQueue<number>({ name: uniqueName('nobody'), url: `redis://127.0.0.1:${port}` }));
      for (const call of [() => q.put(1), () => q.get(), () => q.get({ timeout: 10 }), () => q.qsize(), () => q.end(), () => q.join()]) {
        const error = await settles(expectRejection(call(), RedisError), 15_000);
        expect(error.code).to.equal('ECONNREFUSED');
      }
      await server.start();
      await q.put(1);
      expect(await q.get()).to.equal(1);
      q.taskDone();
    });

    it('a wrong password (or none) rejects RedisError (WRONGPASS / NOAUTH), and nothing is accepted', async () => {
      server = await startRedis({ password: 's3cret' });
      const name = uniqueName('auth');
      const wrong = closeAfterTest(new RedisQueue<number>({ name, url: `redis://:nope@127.0.0.1:${server.port}` }));
      const e1 = await settles(expectRejection(wrong.put(1), RedisError));
      expect(e1.code).to.be.oneOf(['WRONGPASS', 'ERR']);
      const none = closeAfterTest(new RedisQueue<number>({ name, url: `redis://127.0.0.1:${server.port}` }));
      const e2 = await settles(expectRejection(none.put(1), RedisError));
      expect(e2.code).to.equal('NOAUTH');
      const right = closeAfterTest(new RedisQueue<number>({ name, url: server.url }));
      expect(await right.qsize()).to.equal(0);
      await right.put(2);
      expect(await right.get()).to.equal(2);
    });

    it('the message of a connection error never shows the password', async () => {
      server = await startRedis({ password: 's3cret' });
      const port = server.port;
      await server.kill();
      const q = closeAfterTest(new RedisQueue<number>({ name: uniqueName('hidden'), url: `redis://:s3cret@127.0.0.1:${port}` }));
      const error = await expectRejection(q.put(1), RedisError);
      expect(error.message).to.not.contain('s3cret');
    });
  });
});
