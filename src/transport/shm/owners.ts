import { bellId } from './thread-bells.js';

/**
 * Owners are threads, named by their doorbell id (the pid, and the
 * thread's bell number above it: see `thread-bells`). When a child process or thread is seen to exit, every
 * shared primitive this thread has hears of it and gives back what the dead
 * owners held.
 */
export interface Mortal {
  /** Owners `dead` names are gone: what they held comes back, their waits end. */
  dropOwners(dead: (owner: number) => boolean): void;
}

const live = new Set<WeakRef<Mortal>>();

/** Keeps `primitive` informed of deaths while it lives. */
export function watchOwners(primitive: Mortal): void {
  live.add(new WeakRef(primitive));
}

/** Owners `dead` names are gone: every shared primitive of this thread gives back what they held. */
export function ownersGone(dead: (owner: number) => boolean): void {
  for (const ref of [...live]) {
    const primitive = ref.deref();
    if (primitive) primitive.dropOwners(dead);
    else live.delete(ref);
  }
}

/** Every owner id of the process `pid` (all its threads). */
export function ofProcess(pid: number): (owner: number) => boolean {
  return (owner) => owner % 2 ** 22 === pid;
}

/** The owner ids of the threads of this process with bell numbers `bells` (see `thread-bells`). */
export function ofThreads(bells: readonly number[]): (owner: number) => boolean {
  const ids = new Set(bells.map((bell) => bellId(process.pid, bell)));
  return (owner) => ids.has(owner);
}
