import { Connection } from './connection.js';
import { ClosedError } from './errors.js';
import type { HandleKind } from './handle/handle-kinds.js';
import { exportEnd, reviveEnd, type PipeEndDescriptor } from './transport/pipe/pipe-end-transfer.js';
import type { Runtime } from './transport/runtime.js';

/**
 * How a pipe end travels: it moves. What its reader holds and what its
 * writer has not got through yet go along; the object left behind is spent
 * (its calls reject `ClosedError`), and a peer that stays behind talks to
 * the end's new home directly.
 */
export const connectionKind: HandleKind<Connection<unknown>, PipeEndDescriptor, Runtime> = {
  name: 'connection',

  check(conn) {
    if (conn.closed) {
      throw new ClosedError(
        'connection',
        conn.end.moved ? 'this end already moved to another process' : 'a closed end cannot be passed on',
      );
    }
  },

  export(conn, runtime) {
    return exportEnd(conn.end, runtime.pipeHost, conn.streamEnded);
  },

  revive(d, runtime) {
    return new Connection<unknown>(reviveEnd(d, runtime.pipeHost), d.writeEnded);
  },

  lost(d, runtime) {
    runtime.pipeHost.lostWith(d.pipe, d.end, d.registry, d.gen);
  },
};
