import type { HandleKind } from '../handle/handle-kinds.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { once } from '../transport/shm/identity.js';
import { BoundedSemaphore, kSemPlace, type Semaphore, semaphoreAt, semaphoreKey } from './semaphore.js';

export interface SemaphoreDescriptor {
  memory: MemoryDescriptor;
  offset: number;
}

function kind(bounded: boolean): HandleKind<Semaphore, SemaphoreDescriptor> {
  const what = bounded ? 'a BoundedSemaphore' : 'a Semaphore';
  return {
    name: bounded ? 'bounded-semaphore' : 'semaphore',
    check: (sem, crossing) => sem[kSemPlace].mapping.check(crossing, what),
    export: (sem, _runtime, crossing) => ({ memory: sem[kSemPlace].mapping.describe(crossing), offset: sem[kSemPlace].offset }),
    revive(d) {
      const place = { mapping: Mapping.revive(d.memory), offset: d.offset };
      return once(semaphoreKey(place), () => semaphoreAt(place, bounded));
    },
  };
}

/** How semaphores travel: as where their words are (the receiver maps the same memory). */
export const semaphoreKinds = [kind(false), kind(true)] as const;

export { BoundedSemaphore };
