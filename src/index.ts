// Errors
export {
  AuthenticationError,
  BufferTooShort,
  ClosedError,
  Empty,
  EOFError,
  FileExistsError,
  FileNotFoundError,
  Full,
  MessageTooLong,
  NativeUnavailableError,
  NotHeldError,
  BrokenBarrierError,
  ProcessError,
  ProtocolError,
  SerializationError,
  Unfinished,
  type RemoteErrorInfo,
  type RxmpErrorOptions,
  type SystemErrorInfo,
} from './errors.js';

// Queues
export { Queue } from './queue.js';
export { JoinableQueue } from './joinable-queue.js';
export { SimpleQueue } from './simple-queue.js';

// Pipes
export { Pipe } from './pipe.js';
export { Connection } from './connection.js';

// Processes
export { Process, type ProcessBaseOptions, type ProcessOptions } from './process/process.js';
export type { ArgsOption, OutputOf, ResultOf, Target, UntypedTarget } from './process/target-types.js';
export { Pool, type PoolCallOptions, type PoolOptions, type PoolResult, type TaskInput } from './pool/pool.js';

// Options
export type { GetOptions, JoinOptions, ObserveOptions, PipeOptions, PutOptions, QueueOptions, WaitOptions } from './handle/options.js';

// RxJS operators
export { enqueue, type Enqueueable } from './rx/enqueue.js';
export { consume, type Consumable, type ConsumeOptions } from './rx/consume.js';
export type { DeadLetter, PoisonItem } from './rx/poison.js';
export { timeoutEmpty } from './rx/timeout-empty.js';
export { timeoutFull } from './rx/timeout-full.js';
export { withLock } from './rx/with-lock.js';

// Shared memory
export { SharedMemory, type SharedMemoryOptions } from './shared/shared-memory.js';
export { RawValue, Value, type ValueOptions } from './shared/value.js';
export {
  RawArray,
  SharedArray,
  type ArrayInitializer,
  type CharArray,
  type RawArrayConstructor,
  type SharedArrayConstructor,
  type SharedArrayOptions,
} from './shared/shared-array.js';
export type { ArrayElementOf, ElementOf, InputOf, Typecode, TypedArrayOf } from './shared/typecodes.js';

// Sync primitives
export { Lock, type AcquireOptions, type LockOptions } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { Condition, type ConditionOptions } from './sync/condition.js';
export { BoundedSemaphore, Semaphore, type SemaphoreOptions } from './sync/semaphore.js';
export { Event, type EventOptions } from './sync/event.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';

// Diagnostics: the names of rxmp's `node:diagnostics_channel` channels
export { CHANNELS as diagnosticChannels, type ChannelName } from './diagnostics.js';
