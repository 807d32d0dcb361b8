import type { HandleKind } from '../handle/handle-kinds.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { kPlace, type LockPlace, lockOver, type MutexLock } from './lock-base.js';
import { Lock } from './lock.js';
import { RLock } from './rlock.js';

export interface LockDescriptor {
  memory: MemoryDescriptor;
  offset: number;
  reentrant: boolean;
}

/** The lock over `place` (a revived handle, or the lock inside a `Value`'s memory): one object per thread. */
export function lockAt(place: LockPlace): Lock | RLock {
  return lockOver<Lock | RLock>(place, () => (place.reentrant ? new RLock() : new Lock()));
}

/** What a lock's place says when it travels (its memory described for `crossing`, or given). */
export function describeLock(lock: MutexLock, memory: MemoryDescriptor): LockDescriptor {
  return { memory, offset: lock[kPlace].offset, reentrant: lock[kPlace].reentrant };
}

function kind(name: 'lock' | 'rlock', what: string): HandleKind<MutexLock, LockDescriptor> {
  return {
    name,
    check: (lock, crossing) => lock[kPlace].mapping.check(crossing, what),
    export: (lock, _runtime, crossing) => describeLock(lock, lock[kPlace].mapping.describe(crossing)),
    revive: (d) => lockAt({ mapping: Mapping.revive(d.memory), offset: d.offset, reentrant: d.reentrant }),
  };
}

/**
 * How a Lock or RLock travels: as where its words are. The receiver maps
 * the same memory (once per thread) and gets the one lock object of that place.
 */
export const lockKinds = [kind('lock', 'a Lock'), kind('rlock', 'an RLock')];
