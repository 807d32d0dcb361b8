/**
 * The protocol of a Redis queue: its keys, who does what, and the
 * invariants. Every key of the queue `<name>` is under the hash tag
 * `{rxmp:<name>}`, so one cluster slot holds the whole queue.
 *
 * Keys (P = `{rxmp:<name>}`):
 * - `P:items` — list, head = oldest: entries accepted and not taken.
 * - `P:processing:<c>` — list per consumer handle `<c>` (a random id): the
 *   entries it has taken and not finished.
 * - `P:consumers` — set of consumer ids that may hold a processing list.
 * - `P:heartbeat:<c>` — exists while `<c>` is alive (`SET … PX 3 × heartbeat`, refreshed every `heartbeat` ms).
 * - `P:unfinished` — JoinableQueue: tasks put and not done (absent = 0).
 * - `P:ended` — exists once the queue has ended: `0`, or `1` + the msgpack of the error it ended on.
 * - `P:wake` — wake hints for putters waiting for room (at most one; see `scripts.ts`).
 * - `P:ahead` — hash consumer id → entries it fetched ahead for a stream
 *   (in its processing list, not yet handed to the application): counted by
 *   the bound and by `qsize()`.
 * - `P:gate:<p>` — set (for a minute at most) while producer handle `<p>`
 *   has a put refused for room: its later PUTs on their way refuse all
 *   until its retry clears it, so its puts keep their order.
 * - `P:departed` — sorted set, consumer id → when the reaper found it dead
 *   or it left (ms): its processing list is swept again by REAP for 10 s (a
 *   BLMOVE it left blocked, or one that reached the server after its LEAVE,
 *   may still move an entry in).
 * - `P:foreign` — values found in `items` that rxmp did not write, moved aside.
 * - channels `P:events` (`ended`) and `P:drained` (a JoinableQueue's count reached 0).
 *
 * An entry is `rx` 0x01, the item's unfinished attempts (uint32 BE), then the
 * item in msgpack (structured-clone mode, the socket transport's codec).
 *
 * Who does what:
 * - put: the PUT script appends in order as many entries as `maxsize` allows
 *   (counting `P:items` and `P:ahead`: items not yet handed to an
 *   application, as Python counts items not yet got), and adds them to
 *   `unfinished`. Puts made in one event-loop turn go in one PUT, and
 *   several PUTs of a handle may be on their way (see `P:gate`). A put that does not fit waits on `BLPOP P:wake`
 *   on the handle's put connection (in chunks of a second), then retries;
 *   a handle woken when none of its puts waits any more passes the hint on (WAKE).
 *   Puts of one handle go in order: a later one never passes a waiting one.
 * - get: the TAKE script moves entries from the head of `P:items` into
 *   `P:processing:<c>` (several at once for gets waiting together, and up
 *   to an attached stream's `prefetch` more, counted in `P:ahead` and handed
 *   to the next gets with no round trip; they go back to the head, RETURN,
 *   when the last stream detaches or an item is requeued before them). Found
 *   nothing: `BLMOVE P:items → P:processing:<c>` on the handle's get
 *   connection. Each take wakes one putter. Once an entry is handed to the
 *   application, a plain get's entry leaves the processing list (MOVED, one
 *   command per batch); a JoinableQueue's (or `consume`'s) stays there until
 *   taskDone / settle, or goes back (RETURN) when its run failed.
 * - reclaim: when a get's command fails (the connection dropped), its reply
 *   may be lost with entries already moved: RECLAIM gives every entry of
 *   `P:processing:<c>` that the handle does not hold back to the head.
 * - put timeout: exact on the queue's scheduler while the put waits here or
 *   for room; one whose PUT is on its way at its deadline settles on the
 *   answer (accepted if the server took it: a waiting consumer may have got
 *   it already), else `Full`. A put withdrawn while its PUT is on its way
 *   (AbortSignal, close) is taken back if the server took it (UNDO), unless
 *   a consumer took it first.
 * - cancel (timeout, AbortSignal, unsubscribe, close): the waiting get is
 *   withdrawn at once (timeouts run on the queue's scheduler, exactly);
 *   a blocked `BLMOVE` is ended by `CLIENT UNBLOCK` from the command
 *   connection (with the id `CLIENT ID` gave just before that BLMOVE: a
 *   connection that reconnected has another), and an entry that reached this handle with no get left to
 *   take it goes back to the head (RETURN).
 * - taskDone / settle: DONE removes the entry from the processing list and,
 *   for a JoinableQueue, decrements `unfinished` (only if the entry was still
 *   there), publishing `P:drained` at 0. `join()` subscribes to `P:drained`
 *   before it reads `unfinished` (no lost wake-up).
 * - reap: every handle runs REAP every `heartbeat` ms: a consumer whose
 *   heartbeat expired gives its processing list back to the head of items,
 *   oldest first, and what a BLMOVE of it still blocked moves in later goes
 *   back at the next REAPs (`P:departed`). A closing consumer gives its list
 *   back itself (LEAVE), and is swept the same way.
 * - end: END sets `P:ended`, leaves a wake hint and publishes `ended`;
 *   handles unblock their gets, which drain `items` and then end (with the
 *   error, when there is one); puts see `P:ended` and reject `ClosedError`.
 *
 * Invariants:
 * - an accepted entry is in exactly one of `P:items`, some `P:processing:<c>`,
 *   or delivered and finished (a plain get's once handed over and dropped; a
 *   JoinableQueue's once done) — between the hand-over and the drop it is
 *   both delivered and in the processing list, which is the one window where
 *   a consumer's death or a lost connection makes it come again;
 * - `LLEN P:items + Σ P:ahead ≤ maxsize` after every PUT (items given back by
 *   cancelled gets, failed runs and the reaper may exceed it until taken);
 * - `P:ahead[c]` = the entries `<c>` holds fetched ahead, once its pending
 *   MOVED has run (RECLAIM sets it again after a lost reply);
 * - `unfinished` = entries put and not done: in items, in processing lists,
 *   or delivered and not done.
 */

export interface QueueKeys {
  readonly prefix: string;
  readonly items: string;
  readonly consumers: string;
  readonly unfinished: string;
  readonly ended: string;
  readonly wake: string;
  readonly foreign: string;
  readonly ahead: string;
  readonly departed: string;
  readonly events: string;
  readonly drained: string;
  processing(consumer: string): string;
  heartbeat(consumer: string): string;
  gate(producer: string): string;
}

export function queueKeys(name: string): QueueKeys {
  const prefix = `{rxmp:${name}}`;
  return {
    prefix,
    items: `${prefix}:items`,
    consumers: `${prefix}:consumers`,
    unfinished: `${prefix}:unfinished`,
    ended: `${prefix}:ended`,
    wake: `${prefix}:wake`,
    foreign: `${prefix}:foreign`,
    ahead: `${prefix}:ahead`,
    departed: `${prefix}:departed`,
    events: `${prefix}:events`,
    drained: `${prefix}:drained`,
    processing: (consumer) => `${prefix}:processing:${consumer}`,
    heartbeat: (consumer) => `${prefix}:heartbeat:${consumer}`,
    gate: (producer) => `${prefix}:gate:${producer}`,
  };
}
