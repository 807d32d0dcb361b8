import { writeSync } from 'node:fs';

/** How long an exiting process keeps writing to a peer that reads slowly before it gives up. */
export const EXIT_WRITE_MS = 2000;

/**
 * Writes `frames` to a socket's file descriptor synchronously, as the
 * process exits (no event loop is left to finish an ordinary write): a full
 * kernel buffer is waited out in 1 ms sleeps, up to `EXIT_WRITE_MS` in all,
 * so that two processes exiting while writing to each other cannot hang.
 * Only for a socket with nothing else queued in this process (the bytes
 * would overtake it). What cannot be written is reported on stderr.
 */
export function writeAtExit(fd: number, frames: readonly Uint8Array[]): void {
  const deadline = Date.now() + EXIT_WRITE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let left = frames.reduce((n, f) => n + f.byteLength, 0);
  for (const frame of frames) {
    let offset = 0;
    while (offset < frame.byteLength) {
      try {
        const n = writeSync(fd, frame, offset, frame.byteLength - offset);
        offset += n;
        left -= n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && Date.now() < deadline) {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        try {
          writeSync(2, `(node:${process.pid}) RxmpWarning: exiting with ${left} bytes not written to a peer (${(error as Error).message})\n`);
        } catch {
          // no stderr left
        }
        return;
      }
    }
  }
}
