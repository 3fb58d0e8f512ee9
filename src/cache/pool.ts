/** Runs `work` over `items` with at most `limit` in flight; the first failure stops new work and is thrown. */
export async function mapPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await runLanes([{ items, limit }], async (item, index) => {
    results[index] = await work(item);
  });
  return results;
}

export interface Lane<T> {
  items: readonly T[];
  limit: number;
}

/**
 * Runs `work` over several lists at once, each with its own limit (a few
 * large transfers beside many small ones); the first failure in any lane stops
 * new work in all of them and is thrown once everything in flight has settled.
 */
export function forEachInLanes<T>(lanes: ReadonlyArray<Lane<T>>, work: (item: T) => Promise<void>): Promise<void> {
  return runLanes(lanes, (item) => work(item));
}

async function runLanes<T>(lanes: ReadonlyArray<Lane<T>>, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let failed = false;
  const workers = lanes.flatMap(({ items, limit }) => {
    let next = 0;
    async function worker(): Promise<void> {
      while (!failed && next < items.length) {
        const index = next++;
        try {
          await work(items[index], index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }
    return Array.from({ length: Math.min(limit, items.length) }, worker);
  });
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * A gate that lets at most `limit` of the tasks given to it run at once; the
 * others start in the order they came, each as soon as a running one ends.
 */
export function taskSlots(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running < limit) running++;
    // A slot is handed straight from the task that ends to the one that waited longest.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
