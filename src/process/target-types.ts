import type { Observable, Subscribable } from 'rxjs';

/** Any function a `Process` can run: the signature of the target module's export. */
// biome-ignore lint/suspicious/noExplicitAny: a target's parameters are whatever it declares; `unknown[]` would refuse every typed one.
export type Target = (...args: any[]) => unknown;

/** The target of a `Process` whose target's type was not given: any args, `unknown` back. */
export type UntypedTarget = (...args: unknown[]) => unknown;

/** What the child awaits from the target (an Observable returned by an async target streams too). */
type Returned<F extends Target> = Awaited<ReturnType<F>>;

/** `unknown` (or `any`) stays so: an untyped target may stream anything. */
type IsUnknown<T> = unknown extends T ? true : false;

/** The values of `output$`: an Observable target's values; nothing for any other target. */
export type OutputOf<F extends Target> =
  IsUnknown<Returned<F>> extends true
    ? unknown
    : Returned<F> extends Observable<infer T>
      ? T
      : Returned<F> extends Subscribable<infer T>
        ? T
        : never;

/** What `result` resolves with: the awaited return value; `undefined` for an Observable target (its values go to `output$`). */
export type ResultOf<F extends Target> =
  IsUnknown<Returned<F>> extends true ? unknown : Returned<F> extends Subscribable<unknown> ? undefined : Returned<F>;

/** `args` may be left out only when the target can be called without arguments. */
export type ArgsOption<F extends Target> =
  [] extends Parameters<F>
    ? {
        /** Arguments; queues and pipe ends anywhere inside arrays and plain objects arrive as working handles. */
        args?: Parameters<F>;
      }
    : {
        /** Arguments; queues and pipe ends anywhere inside arrays and plain objects arrive as working handles. */
        args: Parameters<F>;
      };
