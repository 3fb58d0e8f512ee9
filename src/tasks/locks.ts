import { rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { looksLikeDevicePath } from '../devices/roots.js';
import { ioError } from '../errors/index.js';
import { makeDirs } from '../fs/make-dirs.js';
import { lockOutput, type OutputLock } from '../fs/output-lock.js';
import { splitExisting } from '../fs/real-path.js';
import type { BuildContext } from './context.js';
import { isFolder } from './preflight.js';
import { removeStalePartials } from '../fs/atomic.js';

/** One lock per output file, taken in path order so two builds of overlapping media cannot deadlock. */
export async function lockOutputs(ctx: BuildContext, log: (line: string) => void): Promise<OutputLock> {
  // Drives and mounted sticks (folders) are guarded by their own checks; a lock beside them could not be written.
  const outputs = [
    ...new Set(ctx.jobs.map((job) => job.media.output).filter((path) => path && !looksLikeDevicePath(path) && !isFolder(path))),
  ].sort();
  const held: OutputLock[] = [];
  const created: string[] = [];
  const release = async () => {
    await Promise.all(held.map((lock) => lock.release()));
    // A build that failed before writing leaves no empty output folder behind (it made them for the lock).
    for (const dir of created.reverse()) await rmdir(dir).catch(() => undefined);
  };
  try {
    for (const output of outputs) {
      created.push(...(await makeOutputFolder(dirname(output))));
      held.push(
        await lockOutput(output, {
          signal: ctx.services.signal,
          onWait: (pid) => log(`capmedia: another build (process ${pid}) is writing ${output}; waiting for it to finish…`),
        }),
      );
      // The lock is ours now, so any partial of this output is a dead build's: gone even when the build is up to date.
      await removeStalePartials(output);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}

/** Creates the folder and returns the folders that did not exist, outermost first. */
async function makeOutputFolder(dir: string): Promise<string[]> {
  const { existing, rest } = await splitExisting(dir);
  try {
    await makeDirs(dir);
  } catch (error) {
    throw ioError('create the output folder', dir, error);
  }
  return rest.map((_, i) => join(existing, ...rest.slice(0, i + 1)));
}
