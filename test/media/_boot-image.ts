import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sha256File } from '../../src/library/hash.js';
import { BOOT_IMAGE_DIR, ensureBootImage } from '../_helpers/bootimage.js';

/**
 * The x64 boot image for USB tests. An existing build is used as it is: the
 * USB tests need a boot image, not the newest one, and must not rebuild it
 * whenever someone edits the builder.
 */
export async function usbBootImage(): Promise<string> {
  const built = await stat(join(BOOT_IMAGE_DIR, 'capmedia-package.json')).then(
    () => true,
    () => false,
  );
  return built ? BOOT_IMAGE_DIR : ensureBootImage();
}

/** Every file of the x64 boot image, read where it lies, plus a task sequence: the content of a bootable ISO. */
export async function bootableContent(dir: string) {
  const bootImage = await usbBootImage();
  const paths = (await readdir(bootImage, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name !== 'capmedia-package.json')
    .map((entry) => join(entry.parentPath, entry.name));
  await writeFile(join(dir, 'ts.json'), '{"name":"ESP cache"}\n');
  paths.push(join(dir, 'ts.json'));
  const blobs = new Map<string, string>();
  const files = await Promise.all(
    paths.map(async (path) => {
      const { sha256, size } = await sha256File(path);
      blobs.set(sha256, path);
      const target = path === join(dir, 'ts.json') ? 'SMS/data/TaskSequence.json' : relative(bootImage, path);
      return { target, sha256, size, packageId: 'BOOT' };
    }),
  );
  return { files, blobPath: (sha256: string) => blobs.get(sha256) ?? join(dir, 'missing', sha256) };
}
