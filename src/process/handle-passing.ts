import { connectionKind } from '../connection-kind.js';
import { type Crossing, HandleKinds, type HandleKind } from '../handle/handle-kinds.js';
import { moduleHandleKind } from '../handle/module-handle.js';
import { queueKind } from '../queue-kind.js';
import { sharedKinds } from '../shared/shared-kinds.js';
import { eventKind } from '../sync/event.js';
import { barrierKind } from '../sync/barrier.js';
import { conditionKind } from '../sync/condition-kind.js';
import { lockKinds } from '../sync/lock-kind.js';
import { semaphoreKinds } from '../sync/semaphore-kind.js';
import type { Runtime } from '../transport/runtime.js';
import { fastClone } from '../wire/fast-clone.js';

/** Every kind of handle that travels in `Process` args and `output$` values. */
const KINDS = new HandleKinds<Runtime>([
  queueKind,
  connectionKind,
  ...lockKinds,
  ...semaphoreKinds,
  conditionKind,
  barrierKind,
  eventKind,
  ...sharedKinds,
  moduleHandleKind,
]);

/** Where a handle sat in a value: keys from the root (array indexes and object keys). */
export type Path = (string | number)[];

/**
 * A value on its way to another runtime. Handles travel out of band: the
 * value holds `null` where each was, and `handles` says which kind, how to
 * revive it and where to put it back. A user value that merely looks like a
 * description is never taken for one.
 */
export interface Transfer {
  value: unknown;
  handles: { kind: string; descriptor: unknown; paths: Path[] }[];
}

interface Found {
  readonly handle: object;
  readonly kind: HandleKind<object, unknown, Runtime>;
  readonly paths: Path[];
}

/**
 * Takes `value` out toward another runtime: every handle inside arrays and
 * plain objects (at any depth) is found and checked, and the rest copied,
 * before anything changes — so a bad argument throws here with nothing
 * moved. `crossing` says where it goes. Then each handle leaves (a pipe end moves at once); the promise
 * resolves when every description is ready.
 */
export function exportValue(value: unknown, runtime: Runtime, crossing: Crossing = 'process'): Promise<Transfer> {
  const found = new Map<object, Found>();
  const rest = fastClone(strip(value, [], found, new Map()));
  for (const { kind, handle } of found.values()) kind.check(handle, crossing);
  const leaving: { kind: HandleKind<object, unknown, Runtime>; paths: Path[]; descriptor: Promise<unknown> }[] = [];
  try {
    for (const { kind, handle, paths } of found.values()) {
      leaving.push({ kind, paths, descriptor: Promise.resolve(kind.export(handle, runtime, crossing)) });
    }
  } catch (error) {
    loseLeaving(leaving, runtime);
    throw error;
  }
  return Promise.all(leaving.map((l) => l.descriptor)).then(
    async (descriptors) => {
      // What the handles' leaving said on the links (a pipe end's `pmoving`) goes out before the transfer
      // does, so its receiver can read it first (see `importValue`).
      if (leaving.length > 0) await runtime.hub.drainLinks();
      return { value: rest, handles: leaving.map((l, i) => ({ kind: l.kind.name, descriptor: descriptors[i], paths: l.paths })) };
    },
    (error: unknown) => {
      loseLeaving(leaving, runtime);
      throw error;
    },
  );
}

/** Brings a transferred value to life in this runtime: each handle revived once, put back where it was. */
export function importValue(transfer: Transfer, runtime: Runtime): unknown {
  let root = transfer.value;
  // The transfer came on a control channel; what its sender wrote to shared memory before it, on
  // the links, is read first (a moving pipe end's news must not arrive after the end itself).
  if (transfer.handles.length > 0) runtime.hub.readPending();
  for (const { kind: name, descriptor, paths } of transfer.handles) {
    const kind = KINDS.named(name);
    if (!kind) throw new TypeError(`a handle of unknown kind ${JSON.stringify(name)} arrived`);
    const handle = kind.revive(descriptor, runtime);
    for (const path of paths) root = putAt(root, path, handle);
  }
  return root;
}

/** The transfer never reached a runtime that took it in (its receiver exited first). */
export function loseTransfer(transfer: Transfer, runtime: Runtime): void {
  for (const { kind: name, descriptor } of transfer.handles) KINDS.named(name)?.lost?.(descriptor, runtime);
}

/** Handles that left before an export failed: their descriptions will never arrive anywhere. */
function loseLeaving(leaving: { kind: HandleKind<object, unknown, Runtime>; descriptor: Promise<unknown> }[], runtime: Runtime): void {
  for (const { kind, descriptor } of leaving) {
    descriptor.then(
      (d) => kind.lost?.(d, runtime),
      () => undefined,
    );
  }
}

/** `value` with each handle replaced by `null` (recorded in `found` with its paths); arrays and plain objects copied once each. */
function strip(value: unknown, path: Path, found: Map<object, Found>, copies: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const kind = KINDS.of(value);
  if (kind) {
    const known = found.get(value);
    if (known) known.paths.push(path);
    else found.set(value, { handle: value, kind, paths: [path] });
    return null;
  }
  const copied = copies.get(value);
  if (copied !== undefined) return copied;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    copies.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = strip(value[i], [...path, i], found, copies);
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    copies.set(value, out);
    for (const key of Object.keys(value)) out[key] = strip(value[key], [...path, key], found, copies);
    return out;
  }
  return value;
}

/** Puts `handle` at `path` inside `root` (which it replaces when the path is empty). */
function putAt(root: unknown, path: Path, handle: object): unknown {
  if (path.length === 0) return handle;
  let container = root;
  for (let i = 0; i < path.length - 1; i++) container = step(container, path[i] as string | number);
  const last = path[path.length - 1] as string | number;
  if (!isContainer(container) || !Object.hasOwn(container, last))
    throw new TypeError(`a handle's place ${JSON.stringify(path)} is not in the value`);
  (container as Record<string | number, unknown>)[last] = handle;
  return root;
}

function step(container: unknown, key: string | number): unknown {
  if (!isContainer(container) || !Object.hasOwn(container, key))
    throw new TypeError(`a handle's place is not in the value (at ${JSON.stringify(key)})`);
  return (container as Record<string | number, unknown>)[key];
}

function isContainer(value: unknown): value is object {
  return Array.isArray(value) || isPlainObject(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
