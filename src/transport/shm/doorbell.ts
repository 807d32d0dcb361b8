import { closeSync, constants, fstatSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { requireNative } from '../../native/native.js';
import { Tree } from './tree.js';
import { ME } from './thread-bells.js';

/**
 * The doorbell of this thread's event loop: a named pipe in the process
 * tree's directory (`bell-<id>`), read by libuv like any pipe, so a ring
 * from any process of the tree wakes this loop and never blocks it.
 *
 * Why a FIFO: the other side must be able to find the bell by name, whatever
 * process it is and whenever it started. An eventfd would be a little
 * cheaper to wake (measured here side by side: eventfd under `uv_poll`
 * 54–66 µs round trip between two processes, this FIFO 68–72 µs, a Unix
 * socket 78 µs, on an idle 2-core VM) but it cannot be opened again through
 * `/proc/<pid>/fd` (ENXIO), so it reaches only children that inherit it. A
 * helper thread in FUTEX_WAIT costs two wake-ups per hop, and V8's
 * `Atomics.wait`/`waitAsync` do not cross processes.
 *
 * A ring says only "look again": the woken thread re-checks every shared
 * word it waits on. Rings are bytes in the pipe, so one rung before its
 * listener sleeps is not lost, and a full pipe (EAGAIN) is already ringing.
 */
export class Doorbell {
  private static current: Doorbell | undefined;

  /** Rung by another thread of this process or another process. */
  private readonly listeners = new Set<() => void>();
  private readonly socket: net.Socket;
  private readonly path: string;
  /** Open write ends of the bells rung so far. */
  private readonly peers = new Map<number, number>();
  private refs = 0;

  private constructor(
    /** Fits 30 bits of an `Int32Array` word: the pid and the thread's bell number (see `thread-bells`). */
    readonly id: number,
  ) {
    const tree = Tree.get();
    this.path = bellPath(tree.dir, id);
    rmSync(this.path, { force: true }); // the bell of a dead thread that had our pid and bell number
    // Opened by the addon, read and write (so the pipe never sees "no writer left" while we listen), and
    // owned by the stream alone: a descriptor from fs.open would also be closed by Node at a thread's end.
    const fd = requireNative('waiting on shared memory').mkfifo(this.path);
    this.inode = fstatSync(fd).ino;
    this.socket = new net.Socket({ fd, readable: true, writable: false });
    this.socket.on('data', () => {
      for (const listener of [...this.listeners]) listener();
    });
    this.socket.unref();
    process.once('exit', () => this.remove());
  }

  /** This thread's bell, made on first use. */
  static get(): Doorbell {
    Doorbell.current ??= new Doorbell(ME);
    return Doorbell.current;
  }

  /** Calls `listener` at every ring until the returned function is called. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** While someone waits here, the bell keeps the event loop alive (as a pending timer would). */
  ref(): void {
    if (this.refs++ === 0) this.socket.ref();
  }

  unref(): void {
    if (--this.refs === 0) this.socket.unref();
  }

  /** Rings bell `id` (this thread's own included). A bell whose thread is gone rings nobody. */
  ring(id: number): void {
    // Twice at most: a bell whose thread is gone (EPIPE) may belong to a new thread by now (bell numbers are reused).
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd = this.peers.get(id);
      if (fd === undefined) {
        const opened = openPeer(bellPath(Tree.get().dir, id));
        if (opened === null) return; // nobody listens there
        fd = opened;
        this.peers.set(id, fd);
      }
      try {
        writeSync(fd, ONE);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return; // unread rings already wake it
        this.peers.delete(id);
        // EPIPE: the thread that had this pipe is gone; a thread given its bell since has made a new one.
        // (Anything else: the descriptor may not be ours any more, so it is left alone.)
        if (code === 'EPIPE') closeSync(fd);
      }
    }
  }

  /** This bell's pipe: at exit its name is removed only if it is still this pipe's (a thread given our number since has its own there). */
  private readonly inode: number;

  private remove(): void {
    if (statSync(this.path, { throwIfNoEntry: false })?.ino === this.inode) rmSync(this.path, { force: true });
  }
}

const ONE = new Uint8Array([1]);

function bellPath(dir: string, id: number): string {
  return join(dir, `bell-${id}`);
}

function openPeer(path: string): number | null {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return null; // ENOENT or ENXIO: nobody listens there
  }
}

/** Without the addon there are no bells (and no other process): a waiter looks again this often, in ms. */
const POLL_MS = 1;

/**
 * Calls `check` at every ring of this thread's bell — or every millisecond
 * when `poll` (no addon, or no free waiter slot) — keeping the event loop
 * alive, until the returned function is called.
 */
export function whileWaiting(check: () => void, poll: boolean): () => void {
  if (poll) {
    const timer = setInterval(check, POLL_MS);
    return () => clearInterval(timer);
  }
  const bell = Doorbell.get();
  bell.ref();
  const stop = bell.listen(check);
  return () => {
    stop();
    bell.unref();
  };
}
