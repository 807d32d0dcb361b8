import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HandleKind } from './handle-kinds.js';

/**
 * Handles whose code lives in a module rxmp does not load by itself (the
 * queues of `rxmp/redis`, which need the optional `redis` package): such a
 * handle describes itself, naming the module and export that revive it,
 * and travels as that description. The receiving runtime loads the module
 * then (synchronously: `require` of an ES module, Node ≥ 20.19), so rxmp
 * never imports it eagerly. Only modules of this package may be named.
 */
export const kDescribe = Symbol.for('rxmp.describe');

export interface ModuleDescriptor {
  /** The `file:` URL of the module (inside this package). */
  module: string;
  /** Its export that revives `data` into a handle. */
  export: string;
  data: unknown;
}

export interface SelfDescribing {
  [kDescribe](): ModuleDescriptor;
}

/** Handles revived this way, still open: a child closes them before it exits (see bootstrap's flush). */
const revived = new Set<{ close(): Promise<void>; readonly closed: boolean }>();

export function revivedModuleHandles(): { close(): Promise<void> }[] {
  return [...revived].filter((h) => !h.closed);
}

/** The package's root (this file is `<root>/{dist/,}src/handle/module-handle.*`). */
const ROOT = new URL('../../', import.meta.url).href;
const load = createRequire(import.meta.url);

export const moduleHandleKind: HandleKind<SelfDescribing, ModuleDescriptor, unknown> = {
  name: 'module-handle',

  check() {
    // A description names a server, not a resource of this process: any handle may travel.
  },

  export(handle) {
    return handle[kDescribe]();
  },

  revive(d) {
    if (typeof d?.module !== 'string' || !d.module.startsWith(ROOT) || typeof d.export !== 'string') {
      throw new TypeError(`a handle arrived naming a module outside rxmp: ${JSON.stringify(d?.module)}`);
    }
    const module = load(fileURLToPath(d.module)) as Record<string, unknown>;
    const revive = module[d.export];
    if (typeof revive !== 'function') throw new TypeError(`${d.module} has no export ${JSON.stringify(d.export)} to revive a handle`);
    const handle = revive(d.data) as SelfDescribing & { close(): Promise<void>; readonly closed: boolean };
    if (typeof handle.close === 'function') revived.add(handle);
    return handle;
  },
};
