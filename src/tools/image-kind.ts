import { open } from 'node:fs/promises';

/** ISO 9660 keeps "CD001" at byte 32769 (the primary volume descriptor); anything else is a disk image. */
export async function isIsoImage(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(5);
    await handle.read(magic, 0, 5, 32769);
    return magic.toString('latin1') === 'CD001';
  } finally {
    await handle.close();
  }
}
