import { lstat } from 'node:fs/promises';
import type { Exec } from '../tools/exec.js';

/**
 * Drops the page cache of a file a build is about to replace (posix_fadvise
 * DONTNEED, through GNU dd: Node has no fadvise). The file itself is
 * untouched; its memory is free for the new image's pages at once.
 *
 * Why: where a VM hands free memory back to its host (virtio-balloon free
 * page reporting: Firecracker and many CI runners), a page the guest has not
 * used for a few seconds is backed again only when first written, by the
 * host. Writing a 1 GB image into such pages cost xorriso 2.3–4.2 s of system
 * time on our CI machine; into pages released just before, 0.6–1.4 s. A tool
 * that overwrites its output in place reuses the old file's memory for free;
 * capmedia keeps the previous image whole until the new one is complete, so
 * it releases the memory without the file. Best effort: failing changes speed only.
 */
export async function releasePageCache(exec: Exec, path: string, cancelSignal?: AbortSignal): Promise<void> {
  const regularFile = await lstat(path).then(
    (info) => info.isFile() && info.size > 0,
    () => false,
  );
  if (!regularFile) return;
  await exec('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], { cancelSignal }).catch(() => undefined);
}
