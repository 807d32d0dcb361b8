import { writeSync } from 'node:fs';
import type net from 'node:net';
import type { Deque } from '../../core/collections/deque.js';

/** How long an exiting process keeps writing to a peer that reads slowly before it gives up. */
export const EXIT_WRITE_MS = 2000;

/**
 * Writes `chunks` to a socket's file descriptor synchronously, as the
 * process exits (no event loop is left to finish an ordinary write): a full
 * kernel buffer is waited out in 1 ms sleeps, up to `EXIT_WRITE_MS` in all,
 * so that two processes exiting while writing to each other cannot hang.
 * What cannot be written is reported on stderr (a warning would never be
 * printed now); `fd < 0` only reports `failure`.
 */
export function writeAtExit(fd: number, chunks: readonly Uint8Array[], failure?: string): void {
  let left = chunks.reduce((n, c) => n + c.byteLength, 0);
  if (fd < 0) return report(failure ?? `${left} bytes to a peer could not be written before exit`);
  const deadline = Date.now() + EXIT_WRITE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      try {
        const n = writeSync(fd, chunk, offset, chunk.byteLength - offset);
        offset += n;
        left -= n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && Date.now() < deadline) {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        return report(`exiting with ${left} bytes not written to a peer (${(error as Error).message})`);
      }
    }
  }
}

/**
 * The bytes handed to `socket` that have not reached the kernel yet, in
 * order, given the frames whose writes have not completed (`inFlight`, oldest
 * first): the last `writableLength` bytes of them, less what the write in
 * progress already got into the kernel (its length less libuv's queue). Node
 * keeps those counts in internals (`_writableState.writelen`,
 * `_handle.writeQueueSize`); when they are not there, or do not add up,
 * `undefined`: the caller cannot write around the queue then.
 */
export function unwrittenBytes(socket: net.Socket, inFlight: Deque<Uint8Array>): Uint8Array[] | undefined {
  const pending = socket.writableLength;
  if (pending === 0) return [];
  const state = (socket as unknown as { _writableState?: { writing?: boolean; writelen?: number } })._writableState;
  const queued = (socket as unknown as { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize;
  if (!state || typeof state.writelen !== 'number' || typeof queued !== 'number') return undefined;
  const inKernel = state.writing ? state.writelen - queued : 0;
  if (inKernel < 0 || inKernel > pending) return undefined;
  const frames = [...inFlight];
  let total = frames.reduce((n, f) => n + f.byteLength, 0);
  if (total < pending) return undefined;
  // Writes that completed before their callback ran are no longer counted: drop them from the front.
  let skip = total - pending + inKernel;
  const out: Uint8Array[] = [];
  for (const frame of frames) {
    if (skip >= frame.byteLength) {
      skip -= frame.byteLength;
      continue;
    }
    out.push(skip > 0 ? frame.subarray(skip) : frame);
    skip = 0;
  }
  total = out.reduce((n, f) => n + f.byteLength, 0);
  return total === pending - inKernel ? out : undefined;
}

function report(text: string): void {
  try {
    writeSync(2, `(node:${process.pid}) RxmpWarning: ${text}\n`);
  } catch {
    // no stderr left
  }
}
