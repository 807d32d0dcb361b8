import { createHash } from 'node:crypto';
import type { LuaScript } from './port.js';

/**
 * The Lua scripts of the protocol (see `protocol.ts`): each runs atomically
 * on the server. Every key they touch, and every key passed in KEYS (an
 * unused slot too: a Redis Cluster refuses keys of other slots, CROSSSLOT),
 * is under the queue's hash tag; the reaper builds processing keys from
 * consumer ids inside that tag.
 */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Lua: the sum of a consumer-to-count hash (entries fetched ahead). */
const AHEAD_SUM = `local function ahead(key)
  local n = 0
  for _, v in ipairs(redis.call('HVALS', key)) do n = n + tonumber(v) end
  return n
end`;

/** A wake hint for one waiting putter; at most one hint is kept (a woken putter passes it on). */
const HINT = `redis.call('RPUSH', KEYS[4], '1') redis.call('LTRIM', KEYS[4], 0, 0)`;

/**
 * PUT: KEYS items, ended, unfinished, wake, ahead, gate:<producer>; ARGV
 * maxsize (0: unbounded), joinable, retry, entry…  Appends as many entries
 * as fit (all when unbounded), in order: the bound counts items in the list
 * and those consumers fetched ahead (`ahead`), none yet handed to an
 * application. Returns how many, or -1 once the queue has ended.
 *
 * Order across a producer's PUTs on their way at once: one that refuses
 * some sets the producer's gate, and later ones refuse all until one sent
 * with nothing else of it on its way (retry = 1: a retry, or a fresh put)
 * clears it. Such a put that leaves room behind passes a wake hint on.
 */
export const PUT = lua(`
${AHEAD_SUM}
if redis.call('EXISTS', KEYS[2]) == 1 then ${HINT} return -1 end
local max = tonumber(ARGV[1])
local want = #ARGV - 3
local n = want
local used = 0
if max > 0 then
  if ARGV[3] == '1' then redis.call('DEL', KEYS[6])
  elseif redis.call('EXISTS', KEYS[6]) == 1 then return 0 end
  used = redis.call('LLEN', KEYS[1]) + ahead(KEYS[5])
  local room = max - used
  if room < n then n = room end
  if n < 0 then n = 0 end
  if n < want then redis.call('SET', KEYS[6], '1', 'PX', 60000) end
end
if n > 0 then
  redis.call('RPUSH', KEYS[1], unpack(ARGV, 4, 3 + n))
  if ARGV[2] == '1' then redis.call('INCRBY', KEYS[3], n) end
end
if max > 0 and ARGV[3] == '1' and used + n < max then ${HINT} end
return n
`);

/**
 * TAKE: KEYS items, processing:<c>, ended, wake, ahead; ARGV maxsize, keep
 * (unused: entries always go to the processing list), count, handed,
 * consumer id. Moves up to count entries from the head into this
 * consumer's processing list; beyond the first `handed` (gets waiting now)
 * they are fetched ahead, counted in `ahead` for the bound. Returns
 * {1, entry…}; {2, ended} when none is left and the queue has ended; {0}
 * otherwise. Entries handed now free room: a putter is woken — whatever
 * this handle's own `maxsize` (a consumer that gives none must still wake
 * the producers of a bounded queue; ARGV maxsize is not consulted here).
 */
export const TAKE = lua(`
local out = {1}
for i = 1, tonumber(ARGV[3]) do
  local e = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not e then break end
  out[#out + 1] = e
end
local taken = #out - 1
if taken > 0 then
  local handed = math.min(taken, tonumber(ARGV[4] or taken))
  if taken > handed then redis.call('HINCRBY', KEYS[5], ARGV[5], taken - handed) end
  if handed > 0 then ${HINT} end
  return out
end
local ended = redis.call('GET', KEYS[3])
if ended then return {2, ended} end
return {0}
`);

/**
 * MOVED: KEYS processing:<c>, ahead, unused (a key of the queue), wake; ARGV maxsize, hint,
 * ahead delta, consumer id, entry…  Entries handed to plain gets leave
 * this consumer's processing list (they are the application's now); its
 * count of entries fetched ahead changes by the delta; a putter is woken
 * when room was freed (hint = 1, or the count went down), whatever this
 * handle's own `maxsize` (see TAKE).
 */
export const MOVED = lua(`
for i = 5, #ARGV do redis.call('LREM', KEYS[1], -1, ARGV[i]) end
local delta = tonumber(ARGV[3])
if delta ~= 0 then
  if redis.call('HINCRBY', KEYS[2], ARGV[4], delta) <= 0 then redis.call('HDEL', KEYS[2], ARGV[4]) end
end
if ARGV[2] == '1' or delta < 0 then ${HINT} end
return 1
`);

/**
 * RECLAIM: KEYS processing:<c>, items, ahead; ARGV consumer id, how many it
 * holds fetched ahead, then the entries it holds (ahead or delivered).
 * Every other entry of its processing list (moved by a command whose reply
 * was lost) goes back to the head of items, in order; its count of entries
 * ahead is set again. Returns how many went back. A consumer may hold any
 * number (a JoinableQueue's undone items): the list is rebuilt in chunks.
 */
export const RECLAIM = lua(`
if tonumber(ARGV[2]) > 0 then redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[3], ARGV[1]) end
local held = {}
for i = 3, #ARGV do held[ARGV[i]] = (held[ARGV[i]] or 0) + 1 end
local keep, back = {}, {}
for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if (held[e] or 0) > 0 then held[e] = held[e] - 1 keep[#keep + 1] = e else back[#back + 1] = e end
end
if #back == 0 then return 0 end
redis.call('DEL', KEYS[1])
-- In chunks: unpack fails past ~8000 values, and a script that fails after the DEL is not rolled back.
for i = 1, #keep, 1000 do redis.call('RPUSH', KEYS[1], unpack(keep, i, math.min(i + 999, #keep))) end
for i = #back, 1, -1 do redis.call('LPUSH', KEYS[2], back[i]) end
return #back
`);

/**
 * RETURN: KEYS processing:<c>, items, ahead; ARGV consumer id, by how much
 * its count ahead goes down (entries fetched ahead among them, and what the
 * handle had not told yet), then (held, back)…, oldest first. Each held
 * entry leaves the processing list and its `back` form goes to the head of
 * items, so the oldest ends up first. An entry no longer in the processing
 * list was given back already (the reaper took this consumer for dead, or
 * its LEAVE ran first): it is not pushed a second time.
 */
export const RETURN = lua(`
local n = tonumber(ARGV[2])
if n ~= 0 and redis.call('HINCRBY', KEYS[3], ARGV[1], -n) <= 0 then redis.call('HDEL', KEYS[3], ARGV[1]) end
for i = #ARGV - 1, 3, -2 do
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) == 1 then redis.call('LPUSH', KEYS[2], ARGV[i + 1]) end
end
return 1
`);

/**
 * DONE: KEYS processing:<c>, unfinished; ARGV entry, joinable, drained channel.
 * The entry leaves the processing list; a JoinableQueue's unfinished count
 * goes down only if it was still there (a reaper that took it back already
 * made it someone else's), publishing on the drained channel at 0.
 */
export const DONE = lua(`
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 1 and ARGV[2] == '1' then
  local left = redis.call('DECR', KEYS[2])
  if left <= 0 then redis.call('DEL', KEYS[2]) redis.call('PUBLISH', ARGV[3], '0') end
end
return removed
`);

/**
 * FOREIGN: KEYS processing:<c>, foreign; ARGV entry, held. A value rxmp did
 * not write leaves the processing list (if held there) for the foreign list.
 */
export const FOREIGN = lua(`
if ARGV[2] == '1' then redis.call('LREM', KEYS[1], -1, ARGV[1]) end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
`);

/**
 * END: KEYS ended, unused, unused (keys of the queue), wake; ARGV how (encoded), events channel.
 * Returns 1 if this call ended the queue, 0 if it had ended.
 */
export const END = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
${HINT}
redis.call('PUBLISH', ARGV[2], 'ended')
return 1
`);

/**
 * BEAT: KEYS consumers, heartbeat:<c>; ARGV consumer id, ttl ms. This consumer is alive.
 */
export const BEAT = lua(`
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
`);

/**
 * REAP: KEYS consumers, items, ahead; ARGV key prefix. Every consumer whose
 * heartbeat has expired gives its processing list back to the head of
 * items, oldest first (and its count ahead goes); returns how many entries went back.
 *
 * A consumer found dead may still have a BLMOVE blocked on the server (its
 * process froze, or its machine dropped off the network, with the connection
 * open): that BLMOVE can move an entry in after this. So a dead consumer
 * goes to `P:departed` (a sorted set, by when it was found dead), and its
 * processing list is swept again at every REAP for 10 s — far longer than a
 * BLMOVE blocks (2 s) — unless it beats again (it was only slow).
 */
export const REAP = lua(`
local moved = 0
local departed = ARGV[1] .. ':departed'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function back(c)
  local p = ARGV[1] .. ':processing:' .. c
  while redis.call('LMOVE', p, KEYS[2], 'RIGHT', 'LEFT') do moved = moved + 1 end
end
for _, c in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. ':heartbeat:' .. c) == 0 then
    back(c)
    redis.call('SREM', KEYS[1], c)
    redis.call('HDEL', KEYS[3], c)
    redis.call('ZADD', departed, now, c)
  end
end
for _, c in ipairs(redis.call('ZRANGE', departed, 0, -1)) do
  if redis.call('EXISTS', ARGV[1] .. ':heartbeat:' .. c) == 1 then redis.call('ZREM', departed, c) else back(c) end
end
redis.call('ZREMRANGEBYSCORE', departed, '-inf', '(' .. (now - 10000))
return moved
`);

/**
 * LEAVE: KEYS consumers, heartbeat:<c>, processing:<c>, items, ahead,
 * departed; ARGV consumer id. A closing consumer: what is still in its
 * processing list goes back to the head (oldest first), and it is no longer
 * a consumer. A BLMOVE of it may reach the server (or be served) after
 * this, its reply lost as the connection closes: as for a consumer found
 * dead, REAP sweeps its list for a while (`departed`).
 */
export const LEAVE = lua(`
local moved = 0
while redis.call('LMOVE', KEYS[3], KEYS[4], 'RIGHT', 'LEFT') do moved = moved + 1 end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
if KEYS[6] then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[6], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
end
return moved
`);

/** WAKE: KEYS wake. Passes on a wake hint this handle took but has no waiting put for. */
export const WAKE = lua(`redis.call('RPUSH', KEYS[1], '1') redis.call('LTRIM', KEYS[1], 0, 0) return 1`);

/** QSIZE: KEYS items, ahead. Items not yet handed to an application: in the list, or fetched ahead by a consumer. */
export const QSIZE = lua(`
${AHEAD_SUM}
return redis.call('LLEN', KEYS[1]) + ahead(KEYS[2])
`);

/**
 * UNDO: KEYS items, unfinished; ARGV entry, joinable, drained channel. Takes
 * back the last equal entry a withdrawn put left; like DONE, the task it
 * closes may be the last one (`drained` is published then).
 */
export const UNDO = lua(`
local removed = redis.call('LREM', KEYS[1], -1, ARGV[1])
if removed == 1 and ARGV[2] == '1' then
  if redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) redis.call('PUBLISH', ARGV[3], '0') end
end
return removed
`);
