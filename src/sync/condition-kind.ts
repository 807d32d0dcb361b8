import type { HandleKind } from '../handle/handle-kinds.js';
import { once } from '../transport/shm/identity.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { type Condition, conditionAt, conditionKey, kConditionPlace } from './condition.js';
import { kPlace } from './lock-base.js';
import { describeLock, type LockDescriptor, lockAt } from './lock-kind.js';

export interface ConditionDescriptor {
  memory: MemoryDescriptor;
  offset: number;
  lock: LockDescriptor;
}

/** How a Condition travels: where its waiters are, and its lock (as a lock travels). */
export const conditionKind: HandleKind<Condition, ConditionDescriptor> = {
  name: 'condition',
  check(c, crossing) {
    const { mapping, lock } = c[kConditionPlace];
    mapping.check(crossing, 'a Condition');
    lock[kPlace].mapping.check(crossing, "a Condition's lock");
  },
  export(c, _runtime, crossing) {
    const { mapping, offset, lock } = c[kConditionPlace];
    return { memory: mapping.describe(crossing), offset, lock: describeLock(lock, lock[kPlace].mapping.describe(crossing)) };
  },
  revive(d) {
    const mapping = Mapping.revive(d.memory);
    const lock = lockAt({ mapping: Mapping.revive(d.lock.memory), offset: d.lock.offset, reentrant: d.lock.reentrant });
    return once(conditionKey({ mapping, offset: d.offset }), () => conditionAt({ mapping, offset: d.offset, lock }));
  },
};
