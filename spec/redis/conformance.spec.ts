/**
 * The conformance suites, unchanged, on a real Redis server: every queue a
 * fresh name on the run's shared server, every handle closed after its test.
 */
import { joinableQueueConformance } from '../conformance/joinable-queue.suite.js';
import { queueConformance } from '../conformance/queue.suite.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { closeAfterTest as track, uniqueName } from './core-helpers.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';

describe('Redis transport', function () {
  this.timeout(60_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  queueConformance('RedisQueue', async (o) => track(new RedisQueue({ name: uniqueName('q'), url, ...o })));
  queueConformance('RedisJoinableQueue', async (o) => track(new RedisJoinableQueue({ name: uniqueName('jq'), url, ...o })));
  joinableQueueConformance('RedisJoinableQueue', async (o) => track(new RedisJoinableQueue({ name: uniqueName('j'), url, ...o })));
});
