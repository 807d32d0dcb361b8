/**
 * The floor: node-redis as a user would write the loop by hand, one awaited
 * `RPUSH` per item and one awaited `BLPOP` per item (JSON values), no bound.
 */
import { createClient } from 'redis';
import { args, counter, payload, readyThenGo, stopped } from './redis-worker.js';

const key = `${args.name}:items`;
const client = createClient({ url: args.url });
await client.connect();
await readyThenGo();
if (args.role === 'producer') {
  for (let i = args.from; i < args.from + args.count; i++) await client.rPush(key, JSON.stringify(payload(i)));
  await stopped;
} else {
  const taken = counter();
  let stopping = false;
  void stopped.then(() => {
    stopping = true;
  });
  while (!stopping) {
    // 0.1 s blocks, so that "stop" is seen within one.
    const got = await client.blPop(key, 0.1);
    if (got) {
      JSON.parse(got.element);
      taken.add();
    }
  }
  taken.stop();
}
client.destroy();
process.disconnect?.(); // the IPC channel would keep this process alive
