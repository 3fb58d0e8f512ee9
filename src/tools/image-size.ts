import { open } from 'node:fs/promises';

/**
 * How many bytes an image says it has: an ISO 9660 primary volume descriptor's
 * volume space size × block size, or, for a disk image, the end of its last
 * MBR partition. Undefined when the image says nothing readable.
 */
export async function declaredImageSize(path: string): Promise<number | undefined> {
  const handle = await open(path, 'r');
  try {
    const pvd = Buffer.alloc(2048);
    const { bytesRead } = await handle.read(pvd, 0, 2048, 32768);
    if (bytesRead >= 136 && pvd.toString('latin1', 1, 6) === 'CD001' && pvd[0] === 1) {
      const blocks = pvd.readUInt32LE(80);
      const blockSize = pvd.readUInt16LE(128);
      return blocks > 0 && blockSize > 0 ? blocks * blockSize : undefined;
    }
    const mbr = Buffer.alloc(512);
    if ((await handle.read(mbr, 0, 512, 0)).bytesRead < 512 || mbr.readUInt16LE(510) !== 0xaa55) return undefined;
    let end = 0;
    for (let i = 0; i < 4; i++) {
      const entry = 446 + i * 16;
      // 0xee is GPT's protective entry: it may claim the whole disk size of a bigger drive.
      if (mbr[entry + 4] === 0 || mbr[entry + 4] === 0xee) continue;
      end = Math.max(end, (mbr.readUInt32LE(entry + 8) + mbr.readUInt32LE(entry + 12)) * 512);
    }
    return end || undefined;
  } finally {
    await handle.close();
  }
}
