import { open, type FileHandle } from 'node:fs/promises';
import { fail } from '../errors/index.js';
import { createSha256 } from '../workers/sha256.js';
import type { Exec } from './exec.js';

const POLL_MS = 15;
/** The system area (MBR, GPT, isohybrid) is the one place a writer might go back to; check it was not rewritten. */
const HEAD_BYTES = 64 * 1024;

/**
 * Hashes a tool's output file while the tool writes it, by following the
 * growing file (the tool writes sequentially; xorriso lays the image out
 * before writing). The tool writes straight to disk; this thread only reads
 * the new bytes into slabs a worker thread hashes, so the hash keeps pace on
 * the other core and the image is never read back afterwards.
 */
export async function writeHashed(
  _exec: Exec,
  _workDir: string,
  output: string,
  produce: (path: string) => Promise<unknown>,
  patchHead?: HeadPatch,
): Promise<{ sha256: string; size: number }> {
  let finished = false;
  const producing = produce(output).finally(() => {
    finished = true;
  });
  const following = follow(output, () => finished, patchHead);
  await producing.catch(async (error) => {
    await following.catch(() => undefined);
    throw error;
  });
  return following;
}

/**
 * Changes the first HEAD_BYTES of the image (e.g. a volume descriptor the
 * tool cannot write as wanted). Applied in place once the tool has written
 * past them and before they are hashed, so the hash is the final image's.
 */
export type HeadPatch = (head: Buffer) => void;

async function follow(path: string, isFinished: () => boolean, patchHead?: HeadPatch): Promise<{ sha256: string; size: number }> {
  const hash = createSha256(Number.POSITIVE_INFINITY);
  let handle: FileHandle | undefined;
  let position = 0;
  let pendingPatch = patchHead;
  const head: Buffer[] = [];
  // The slab goes to the hashing thread once read: what the head check needs is copied first.
  const readInto = async (slab: Buffer): Promise<number> => {
    const { bytesRead } = await handle!.read(slab, 0, slab.length, position);
    if (position < HEAD_BYTES && bytesRead > 0) head.push(Buffer.from(slab.subarray(0, Math.min(bytesRead, HEAD_BYTES - position))));
    return bytesRead;
  };
  try {
    for (;;) {
      const finishedBefore = isFinished();
      handle ??= await open(path, patchHead ? 'r+' : 'r').catch(() => undefined);
      if (handle && pendingPatch) {
        const patched = await patchInPlace(handle, pendingPatch, finishedBefore);
        if (!patched) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        }
        pendingPatch = undefined;
        await hash.update(patched);
        head.push(patched);
        position = patched.length;
        continue;
      }
      const read = handle ? await hash.fill(readInto) : 0;
      if (read > 0) {
        position += read;
        continue;
      }
      // Only a read that found nothing after the tool had exited means the end.
      if (finishedBefore) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await assertHeadUnchanged(handle, Buffer.concat(head), path);
    return { sha256: await hash.digest(), size: position };
  } catch (error) {
    hash.close();
    throw error;
  } finally {
    await handle?.close();
  }
}

/** The patched head, once the tool wrote all of it (or finished); undefined while it is still short. */
async function patchInPlace(handle: FileHandle, patch: HeadPatch, finished: boolean): Promise<Buffer | undefined> {
  const size = (await handle.stat()).size;
  if (size < HEAD_BYTES && !finished) return undefined;
  const start = Buffer.alloc(Math.min(size, HEAD_BYTES));
  await handle.read(start, 0, start.length, 0);
  patch(start);
  await handle.write(start, 0, start.length, 0);
  return start;
}

async function assertHeadUnchanged(handle: FileHandle | undefined, seen: Buffer, path: string): Promise<void> {
  if (!handle || seen.length === 0) return;
  const now = Buffer.alloc(seen.length);
  await handle.read(now, 0, seen.length, 0);
  if (!now.equals(seen)) throw fail('imageRewrittenWhileHashed', { path });
}
