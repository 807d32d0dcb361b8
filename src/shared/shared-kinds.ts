import type { Crossing, HandleKind } from '../handle/handle-kinds.js';
import type { LockDescriptor } from '../sync/lock-kind.js';
import { Mapping, type MemoryDescriptor } from '../transport/shm/mapping.js';
import { ClosedError } from '../errors.js';
import { arrayAt, arrayState, type ArrayKind, type RawArray } from './shared-array.js';
import { attachedSharedMemory, SharedMemory } from './shared-memory.js';
import type { Typecode } from './typecodes.js';
import { kCode, kValuePlace, type RawValue, type Value, valueAt, type ValuePlace } from './value.js';

/** Where a value's or an array's bytes are, and its lock's words. */
export interface CellDescriptor {
  typecode: Typecode;
  memory: MemoryDescriptor;
  offset: number;
  /** Elements of an array. */
  length?: number;
  lock: LockDescriptor | null;
}

function describePlace(place: ValuePlace, crossing: Crossing): Omit<CellDescriptor, 'typecode'> {
  const memory = place.mapping.describe(crossing);
  let lock: LockDescriptor | null = null;
  if (place.lock) {
    // A lock in the value's own memory travels with it; a shared lock's memory is its own.
    const same = place.lock.mapping === place.mapping;
    lock = { memory: same ? memory : place.lock.mapping.describe(crossing), offset: place.lock.offset, reentrant: place.lock.reentrant };
  }
  return { memory, offset: place.offset, lock };
}

function checkPlace(place: ValuePlace, crossing: Crossing, what: string): void {
  place.mapping.check(crossing, what);
  place.lock?.mapping.check(crossing, `${what}'s lock`);
}

function revivePlace(d: CellDescriptor): ValuePlace {
  const mapping = Mapping.revive(d.memory);
  const lock = d.lock ? { mapping: Mapping.revive(d.lock.memory), offset: d.lock.offset, reentrant: d.lock.reentrant } : null;
  return { mapping, offset: d.offset, lock };
}

function valueKind(kind: 'raw' | 'value'): HandleKind<RawValue | Value, CellDescriptor> {
  const what = kind === 'raw' ? 'a RawValue' : 'a Value';
  return {
    name: kind === 'raw' ? 'raw-value' : 'value',
    check: (v, crossing) => checkPlace(v[kValuePlace], crossing, what),
    export: (v, _runtime, crossing) => ({ typecode: v[kCode].code, ...describePlace(v[kValuePlace], crossing) }),
    // The one object of that memory in this thread (a value that comes home is its creator's own).
    revive: (d) => valueAt(kind, revivePlace(d), d.typecode),
  };
}

function arrayKind(kind: ArrayKind): HandleKind<RawArray, CellDescriptor> {
  const what = kind === 'raw' ? 'a RawArray' : 'a SharedArray';
  const stateOf = (a: RawArray) => {
    const state = arrayState(a);
    if (!state) throw new TypeError(`${what} handle without its state`);
    return state;
  };
  return {
    name: kind === 'raw' ? 'raw-array' : 'shared-array',
    check: (a, crossing) => checkPlace(stateOf(a).place, crossing, what),
    export: (a, _runtime, crossing) => ({ typecode: stateOf(a).code.code, length: a.length, ...describePlace(stateOf(a).place, crossing) }),
    revive: (d) => arrayAt(kind, d.typecode, revivePlace(d), d.length ?? 0),
  };
}

export interface SharedMemoryDescriptor {
  name: string;
  memory: MemoryDescriptor;
}

/**
 * A `SharedMemory` travels as its name and where its pages are open; the
 * receiver maps them itself (so its `close()` is its own), even if the
 * name was unlinked meanwhile.
 */
const sharedMemoryKind: HandleKind<SharedMemory, SharedMemoryDescriptor> = {
  name: 'shared-memory',
  check(shm, crossing) {
    const memory = shm.memory;
    if (!memory) throw new ClosedError('shared memory', `shared memory ${JSON.stringify(shm.name)} is closed and cannot be passed on`);
    memory.check(crossing, 'SharedMemory');
  },
  export(shm, _runtime, crossing) {
    return { name: shm.name, memory: (shm.memory as Mapping).describe(crossing, { own: true }) };
  },
  revive(d) {
    return attachedSharedMemory(d.name, Mapping.reviveOwn(d.memory));
  },
};

/** Every shared-memory handle kind. */
export const sharedKinds = [sharedMemoryKind, valueKind('raw'), valueKind('value'), arrayKind('raw'), arrayKind('shared')] as const;

export { SharedMemory };
