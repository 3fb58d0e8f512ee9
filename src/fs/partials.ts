import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Files this process is writing that are not outputs yet (temp names that
 * become outputs by rename). A cancelled build removes them, even when the
 * second Ctrl-C ends the process at once.
 */
const live = new Set<string>();

export function trackPartial(path: string): string {
  live.add(path);
  return path;
}

export function untrackPartial(path: string): void {
  live.delete(path);
}

/** Kept tracked after: a tool still dying may create one again, and the exit removes it then (`removeTrackedPartialsSync`). */
export async function removeTrackedPartials(): Promise<void> {
  await Promise.all([...live].map((path) => rm(path, { force: true, recursive: true })));
}

/** For process exit: nothing asynchronous runs any more. */
export function removeTrackedPartialsSync(): void {
  for (const path of live) {
    try {
      rmSync(path, { force: true, recursive: true });
    } catch {
      // the process is ending; what cannot be removed now is removed by the next build (stale partials)
    }
  }
  live.clear();
}
