import { concat, defer, from, ignoreElements, lastValueFrom, type Observable, toArray } from 'rxjs';
import run from '../fixtures/shared-ops.js';
import { startChild } from './children.js';

/**
 * Where a shared-memory conformance suite runs its other side: this thread,
 * a worker thread, or a forked child. Each `observe` passes its arguments
 * (handles among them) the way that transport passes them, so a suite
 * written once checks all three.
 */
export interface SharedPeer {
  readonly label: string;
  /** Does the other side live in another process (so that it needs the native mapping)? */
  readonly process: boolean;
  /** Does the other side end after each operation (a child that exits)? */
  readonly exits: boolean;
  observe(op: string, ...args: unknown[]): Observable<unknown>;
}

export async function ask<T>(peer: SharedPeer, op: string, ...args: unknown[]): Promise<T> {
  const values = await lastValueFrom(peer.observe(op, ...args).pipe(toArray()));
  return values[values.length - 1] as T;
}

/** Starts `op` on the peer; resolves once it says 'waiting', with (a promise of) what it says after. */
export function inLine(peer: SharedPeer, op: string, ...args: unknown[]): Promise<{ said: Promise<unknown[]> }> {
  return new Promise((resolve, reject) => {
    const said: unknown[] = [];
    let done!: (said: unknown[]) => void;
    const finished = new Promise<unknown[]>((r) => (done = r));
    peer.observe(op, ...args).subscribe({
      next: (value) => (value === 'waiting' ? resolve({ said: finished }) : said.push(value)),
      error: reject,
      complete: () => done(said),
    });
  });
}

export const localPeer: SharedPeer = {
  label: 'in one thread',
  process: false,
  exits: false,
  observe: (op, ...args) => run(op, ...(args as never[])),
};

function childPeer(kind: 'thread' | 'fork'): SharedPeer {
  return {
    label: kind === 'thread' ? 'between a thread and its parent' : 'between forked processes',
    process: kind === 'fork',
    exits: true,
    // Completes once the child has exited too, so what its exit gives back is back.
    observe: (op, ...args) =>
      defer(() => {
        const child = startChild('shared-ops', { args: [op, ...args], kind });
        return concat(child.output$, from(child.join()).pipe(ignoreElements()));
      }),
  };
}

export const threadPeer = childPeer('thread');
export const forkPeer = childPeer('fork');

export const PEERS: readonly SharedPeer[] = [localPeer, threadPeer, forkPeer];
