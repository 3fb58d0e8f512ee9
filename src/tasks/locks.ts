import { dirname } from 'node:path';
import { looksLikeDevicePath } from '../devices/roots.js';
import { ioError } from '../errors.js';
import { makeDirs } from '../fs/make-dirs.js';
import { lockOutput, type OutputLock } from '../fs/output-lock.js';
import type { BuildContext } from './context.js';
import { isFolder } from './preflight.js';

/** One lock per output file, taken in path order so two builds of overlapping media cannot deadlock. */
export async function lockOutputs(ctx: BuildContext, log: (line: string) => void): Promise<OutputLock> {
  // Drives and mounted sticks (folders) are guarded by their own checks; a lock beside them could not be written.
  const outputs = [
    ...new Set(ctx.jobs.map((job) => job.media.output).filter((path) => path && !looksLikeDevicePath(path) && !isFolder(path))),
  ].sort();
  const held: OutputLock[] = [];
  const release = async () => {
    await Promise.all(held.map((lock) => lock.release()));
  };
  try {
    for (const output of outputs) {
      try {
        await makeDirs(dirname(output));
      } catch (error) {
        throw ioError('create the output folder', dirname(output), error);
      }
      held.push(
        await lockOutput(output, {
          signal: ctx.options.signal,
          onWait: (pid) => log(`capmedia: another build (process ${pid}) is writing ${output}; waiting for it to finish…`),
        }),
      );
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}
