/**
 * A step's result as the steps after it receive it: a promise the step
 * settles. The task list awaits it, so the order is the graph's, not a
 * convention about which field is filled in by then.
 */
export interface Produced<T> {
  readonly value: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** The value once produced, for clean-up after a failure; undefined before (or when the step failed). */
  settled(): T | undefined;
}

export function produced<T>(): Produced<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  let done: { value: T } | undefined;
  const value = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed step stops the build: nobody may be waiting for its value any more.
  value.catch(() => undefined);
  return {
    value,
    resolve: (result) => {
      done ??= { value: result };
      resolve(result);
    },
    reject,
    settled: () => done?.value,
  };
}

/** Settles `into` with what `step` returns, or its error; returns the same. */
export async function produce<T, R extends T = T>(into: Produced<T>, step: () => Promise<R> | R): Promise<R> {
  try {
    const result = await step();
    into.resolve(result);
    return result;
  } catch (error) {
    into.reject(error);
    throw error;
  }
}
