/**
 * The errors `rxmp/redis` raises besides rxmp's own (`Empty`, `Full`,
 * `ClosedError`, `SerializationError`): each a real subclass with its `name`.
 */

/**
 * The Redis server could not be reached or refused a command: connection
 * refused, a wrong password (`code` `'WRONGPASS'`/`'NOAUTH'`), the
 * connection dropped while a call waited on it, the `redis` package is not
 * installed (`code` `'MODULE_NOT_FOUND'`). `cause` is what the client said.
 */
export class RedisError extends Error {
  /** The queue's name, when the error concerns one. */
  readonly queue: string | undefined;
  /**
   * A short machine-readable reason: the server's error word (`WRONGPASS`,
   * `NOAUTH`), a socket code (`ECONNREFUSED`, `ECONNRESET`), `'OFFLINE'`
   * (the connection is being re-established), `'CLOSED'` (it gave up),
   * `'FOREIGN_ITEM'`, or `'MODULE_NOT_FOUND'`.
   */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; queue?: string; code?: string } = {}) {
    super(message, { cause: options.cause });
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
    this.queue = options.queue;
    this.code = options.code ?? codeOf(options.cause);
  }
}

/**
 * A value in a queue's list that rxmp did not write there (an `RPUSH` of
 * plain text, say): the get that met it rejects with this error, and the
 * value is moved aside to the list named by `key`'s sibling
 * `{rxmp:<name>}:foreign`, so the next get goes on with the next item.
 */
export class ForeignItemError extends RedisError {
  /** The list the value was found in. */
  readonly key: string;
  /** Where it was moved: nothing is deleted. */
  readonly movedTo: string;
  /** The raw value (its first 64 bytes). */
  readonly bytes: Uint8Array;
  constructor(queue: string, key: string, movedTo: string, bytes: Uint8Array, cause?: unknown) {
    super(`queue ${JSON.stringify(queue)}: a value in ${key} was not written by rxmp (${bytes.byteLength} bytes); moved to ${movedTo}`, {
      queue,
      cause,
      code: 'FOREIGN_ITEM',
    });
    this.key = key;
    this.movedTo = movedTo;
    this.bytes = bytes.slice(0, 64);
  }
}

function codeOf(cause: unknown): string | undefined {
  if (cause === null || typeof cause !== 'object') return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // node-redis's own: the connection is being re-established, or was closed for good.
  const kind = (cause as object).constructor?.name;
  if (kind === 'ClientOfflineError') return 'OFFLINE';
  if (kind === 'ClientClosedError') return 'CLOSED';
  const message = (cause as { message?: unknown }).message;
  if (typeof message === 'string') {
    const word = /^([A-Z][A-Z_]+)\b/.exec(message);
    if (word) return word[1];
  }
  return undefined;
}
