import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CapmediaError, type PublishInput } from 'capmedia';

/**
 * Puts the finished folder in place of the previous one. The previous folder
 * is moved aside only once the new one is complete, and comes back if the new
 * one cannot be moved in.
 */
export async function publishFolder({ temp, final }: PublishInput): Promise<void> {
  const aside = join(dirname(final), `.${basename(final)}.${randomBytes(4).toString('hex')}.capmedia-old`);
  const hadPrevious = await rename(final, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw publishError(final, error);
    },
  );
  try {
    await rename(temp, final);
  } catch (error) {
    if (hadPrevious) await rename(aside, final);
    throw publishError(final, error);
  }
  if (hadPrevious) await rm(aside, { recursive: true, force: true });
}

function publishError(final: string, error: unknown): CapmediaError {
  return new CapmediaError('PUBLISH_FAILED', `The network boot folder could not be put in place at ${final}: ${(error as Error).message}`, {
    hint: 'Check that the folder above it is writable; the previous folder, if any, is unchanged.',
    cause: error,
  });
}
