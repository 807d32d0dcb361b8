import { createRequire } from 'node:module';
import { NativeUnavailableError } from '../errors.js';

/**
 * The addon built from `native/shm.cc` (see there for what each call does).
 * Sizes are whole numbers of bytes, checked by the caller; failures throw
 * Node's errno errors (`code`, `syscall`, `path`).
 */
export interface Native {
  memfd(size: number): number;
  shmOpen(name: string, create: boolean, size: number): [fd: number, size: number];
  shmUnlink(name: string): void;
  map(fd: number, size: number): SharedArrayBuffer;
  release(buffer: SharedArrayBuffer): void;
  /** Makes the named pipe and opens it (read and write, non-blocking): its descriptor. */
  mkfifo(path: string): number;
  /** Closes a descriptor `memfd`, `shmOpen` or `mkfifo` returned (never one node:fs opened). */
  closeFd(fd: number): void;
  /** Closes `fd` (from `memfd` or `shmOpen`) when this thread's environment goes, however the thread ends; `false`: no longer. */
  closeAtThreadEnd(fd: number, yes: boolean): void;
  /** Linux: the kernel sends `signal` (a number) to this process when its parent dies; `false` where it cannot. */
  dieWithParent(signal: number): boolean;
}

const ADDON = '../../../build/Release/rxmp_native.node';

let loaded: { native: Native } | { reason: string } | undefined;

function load(): { native: Native } | { reason: string } {
  // For specs of the fallback path: behave as a machine where the build failed.
  if (process.env.RXMP_NATIVE === 'off') return { reason: 'RXMP_NATIVE=off is set' };
  if (process.platform === 'win32') return { reason: 'Windows is not supported yet' };
  try {
    return { native: createRequire(import.meta.url)(ADDON) as Native };
  } catch (error) {
    return { reason: error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error) };
  }
}

/** The addon, loaded once per thread; `undefined` where it cannot load. */
export function nativeOrUndefined(): Native | undefined {
  loaded ??= load();
  return 'native' in loaded ? loaded.native : undefined;
}

/** Why the addon did not load; `undefined` when it did. */
export function nativeMissingReason(): string | undefined {
  loaded ??= load();
  return 'reason' in loaded ? loaded.reason : undefined;
}

/** The addon, or a `NativeUnavailableError` naming `what` needed it, why it is missing and how to fix it. */
export function requireNative(what: string): Native {
  loaded ??= load();
  if ('native' in loaded) return loaded.native;
  throw new NativeUnavailableError(what, loaded.reason);
}
