import type { HandleKind } from '../handle/handle-kinds.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { kPlace, type Lock, lockAt } from './lock.js';

export interface LockDescriptor {
  memory: MemoryDescriptor;
  offset: number;
}

/**
 * How a lock travels: as where its words are. The receiver maps the same
 * memory (once per thread) and gets the one `Lock` object of that place.
 */
export const lockKind: HandleKind<Lock, LockDescriptor> = {
  name: 'lock',

  check(lock, crossing) {
    lock[kPlace].mapping.check(crossing, 'a Lock');
  },

  export(lock, _runtime, crossing) {
    const { mapping, offset } = lock[kPlace];
    return { memory: mapping.describe(crossing), offset };
  },

  revive(d) {
    return lockAt({ mapping: Mapping.revive(d.memory), offset: d.offset });
  },
};
