import { asyncScheduler } from 'rxjs';
import { PipeChannel } from './core/pipe/pipe-channel.js';
import { Connection } from './connection.js';
import { PipeEnd } from './transport/pipe/pipe-end.js';
import { checkCount, checkOptions, checkScheduler, DEFAULT_PIPE_WINDOW, quote, type PipeOptions } from './handle/options.js';

const PIPE_OPTIONS = ['duplex', 'window', 'scheduler'] as const;

/**
 * Two connected ends (Python's `multiprocessing.Pipe`). Duplex by default:
 * both ends send and receive. `Pipe(false)` returns `[receiver, sender]`.
 *
 * @example
 * const [a, b] = Pipe<string>();
 * await a.send('ping');
 * await b.recv(); // 'ping'
 */
export function Pipe<T = unknown>(duplex?: boolean | PipeOptions, options?: PipeOptions): [Connection<T>, Connection<T>] {
  let o: Partial<PipeOptions>;
  if (typeof duplex === 'boolean' || duplex === undefined) {
    o = { ...checkOptions<PipeOptions>(options, 'Pipe options', PIPE_OPTIONS), ...(duplex === undefined ? {} : { duplex }) };
  } else if (typeof duplex === 'object' && duplex !== null && options === undefined) {
    o = checkOptions<PipeOptions>(duplex, 'Pipe options', PIPE_OPTIONS);
  } else {
    throw new TypeError(`Pipe() takes (duplex?: boolean, options?) or (options?), got ${quote(duplex)}`);
  }
  if (o.duplex !== undefined && typeof o.duplex !== 'boolean') throw new TypeError(`duplex must be a boolean, got ${quote(o.duplex)}`);
  const window = checkCount(o.window, 'window', DEFAULT_PIPE_WINDOW);
  const scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;

  const toFirst = new PipeChannel(window, scheduler);
  const toSecond = o.duplex === false ? undefined : new PipeChannel(window, scheduler);
  const first = new PipeEnd(0, window, scheduler, toFirst, toSecond);
  const second = new PipeEnd(1, window, scheduler, toSecond, toFirst);
  first.peer = second;
  second.peer = first;
  return [new Connection<T>(first), new Connection<T>(second)];
}
