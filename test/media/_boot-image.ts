import { stat } from 'node:fs/promises';
import { join } from 'node:path';
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
