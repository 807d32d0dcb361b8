/**
 * One producer and two consumer processes on a Redis queue: any process on
 * any machine that reaches the server can take either part. Each connects by
 * itself from the queue's name and url; the jobs queue is bounded (the
 * producer waits for room) and joinable (join() waits until every job is done).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node dist/samples/redis-workers.js [jobs]
 */
import { Process } from 'rxmp';
import { RedisJoinableQueue, RedisQueue } from 'rxmp/redis';
import type { Square } from './workers/redis-consumer.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const count = Number(process.argv[2] ?? 100);
const name = `redis-workers-${process.pid}`; // this run's queues: <name>:jobs and <name>:squares
const maxsize = 20; // every handle on the jobs queue gets the same bound
const jobs = new RedisJoinableQueue<number>({ name: `${name}:jobs`, url, maxsize });
const squares = new RedisQueue<Square>({ name: `${name}:squares`, url });

const start = (file: string, ...args: unknown[]) =>
  new Process({ target: new URL(`./workers/${file}.js`, import.meta.url), args: [name, url, maxsize, ...args] }).start();
const producer = start('redis-producer', count);
const consumers = [start('redis-consumer', 'A'), start('redis-consumer', 'B')];

const got: Square[] = [];
for (let i = 0; i < count; i++) got.push(await squares.get());
await jobs.join(); // every job taken and marked done
await jobs.end(); // the consumers' streams complete; they exit
const codes = await Promise.all([producer, ...consumers].map((p) => p.join()));
await Promise.all([jobs.close(), squares.close()]);

const by = (worker: string) => got.filter((s) => s.worker === worker).length;
const right = got.every((s) => s.square === s.job * s.job) && new Set(got.map((s) => s.job)).size === count;
console.log(`${count} jobs, ${by('A')} done by A and ${by('B')} by B, ${right ? 'each once, all right' : 'WRONG'}; exit codes ${codes}`);
if (!right) process.exitCode = 1;
