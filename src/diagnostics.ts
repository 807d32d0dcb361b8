import diagnosticsChannel from 'node:diagnostics_channel';
import { debuglog, inspect } from 'node:util';

/**
 * What rxmp tells about itself, on `node:diagnostics_channel` channels: a
 * tool subscribes with `diagnostics_channel.subscribe('rxmp:process:exit',
 * (message) => …)`. Nothing is built or sent while a channel has no
 * subscriber. `NODE_DEBUG=rxmp` prints every message to stderr.
 *
 * The channels and what each message holds:
 * - `rxmp:link:open`      `{ peer, kind }`: a link to another runtime is up: `peer` is its runtime id
 *                         (the one in `rxmp:queue:redeliver` and in queue ids), `kind` 'socket' (a process), 'port' (a thread),
 *                         'memory' (two runtimes of one thread, in specs). Published once the peer is known.
 * - `rxmp:link:close`     `{ peer, kind, reason? }`: that link closed (`reason`: the error, when it failed).
 * - `rxmp:process:start`  `{ name, kind, pid?, threadId? }`: a child started.
 * - `rxmp:process:exit`   `{ name, kind, pid?, threadId?, exitCode, signal, error? }`: a child exited and was joined.
 * - `rxmp:queue:redeliver` `{ queue, items, reason, peer? }`: `items` items went back to the front of
 *                         `queue` (its id; 'this process' for a queue not shared yet), published by the
 *                         queue's owner. `reason`: 'link-closed' (the process or thread of a consumer is gone:
 *                         what it had fetched ahead and, for a JoinableQueue, what it got and did not finish),
 *                         'failed' (a `consume` run failed on it), 'returned' (a `consume` that stopped put back
 *                         what it had not finished), 'unused' (items a consumer fetched ahead and did not need),
 *                         'detached' (a handle closed with items fetched ahead). `peer`: the consumer's runtime.
 * - `rxmp:connection:drop` `{ pipe, end, reason }`: the peer of end `end` (0 or 1) of pipe `pipe` went away
 *                         without closing (its process or thread is gone); `reason` says how it was seen.
 */
export const CHANNELS = {
  /** `{ peer, kind }`: a link to another runtime is up. */
  linkOpen: 'rxmp:link:open',
  /** `{ peer, kind, reason? }`: that link closed. */
  linkClose: 'rxmp:link:close',
  /** `{ name, kind, pid?, threadId? }`: a child started. */
  processStart: 'rxmp:process:start',
  /** `{ name, kind, pid?, threadId?, exitCode, signal, error? }`: a child exited and was joined. */
  processExit: 'rxmp:process:exit',
  /** `{ queue, items, reason, peer? }`: items went back to the front of a queue. */
  queueRedeliver: 'rxmp:queue:redeliver',
  /** `{ pipe, end, reason }`: a pipe end's peer went away. */
  connectionDrop: 'rxmp:connection:drop',
} as const;

/** The name of one of rxmp's diagnostics channels. */
export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

const channels = new Map<ChannelName, diagnosticsChannel.Channel>();
const debug = debuglog('rxmp');

function channel(name: ChannelName): diagnosticsChannel.Channel {
  let c = channels.get(name);
  if (!c) {
    c = diagnosticsChannel.channel(name);
    channels.set(name, c);
  }
  return c;
}

/** Publishes on `name` what `message()` builds, only if someone listens (or `NODE_DEBUG=rxmp`). */
export function publish(name: ChannelName, message: () => object): void {
  const c = channel(name);
  const debugging = debug.enabled;
  if (!c.hasSubscribers && !debugging) return;
  const m = message();
  if (c.hasSubscribers) c.publish(m);
  if (debugging) debug('%s %s', name, inspect(m, { breakLength: Number.POSITIVE_INFINITY, depth: 2 }));
}
