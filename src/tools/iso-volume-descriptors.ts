/**
 * The volume descriptors of an ISO 9660 image (ECMA-119 §8): 2048-byte
 * records from sector 16 to the terminator (type 255). The Joliet tree's
 * descriptor is a supplementary one (type 2) whose escape sequence names a
 * UCS-2 level (`%/@`, `%/C`, `%/E`).
 */
const SECTOR = 2048;
const FIRST = 16;
/** More descriptors than any writer makes (PVD, boot record, Joliet, terminator …). */
const MAX_DESCRIPTORS = 16;
/** Where the descriptors end: everything capmedia reads or changes lies before this offset. */
export const DESCRIPTORS_END = (FIRST + MAX_DESCRIPTORS) * SECTOR;
const VOLUME_ID = { offset: 40, bytes: 32 } as const;
const JOLIET_ESCAPES = ['%/@', '%/C', '%/E'];

/** Offsets (in `head`) of the Joliet supplementary descriptors. */
function jolietDescriptors(head: Buffer): number[] {
  const found: number[] = [];
  for (let sector = FIRST; sector < FIRST + MAX_DESCRIPTORS; sector++) {
    const at = sector * SECTOR;
    if (head.length < at + SECTOR || head.toString('latin1', at + 1, at + 6) !== 'CD001') break;
    const type = head[at];
    if (type === 255) break;
    if (type === 2 && JOLIET_ESCAPES.includes(head.toString('latin1', at + 88, at + 91))) found.push(at);
  }
  return found;
}

/** The Joliet volume id (what Windows shows for a mounted ISO without UDF), or undefined without Joliet. */
export function readJolietVolumeId(head: Buffer): string | undefined {
  const [at] = jolietDescriptors(head);
  if (at === undefined) return undefined;
  const field = head.subarray(at + VOLUME_ID.offset, at + VOLUME_ID.offset + VOLUME_ID.bytes);
  return Buffer.from(field)
    .swap16()
    .toString('utf16le')
    .replace(/[ \0]+$/, '');
}

/**
 * Writes `id` (at most 16 UCS-2 characters) as the Joliet volume id, padded
 * with spaces as libisofs pads it. Returns false when the image has no Joliet
 * descriptor. Only the descriptor changes: no checksum covers it.
 */
export function writeJolietVolumeId(head: Buffer, id: string): boolean {
  const descriptors = jolietDescriptors(head);
  const field = Buffer.from(id.padEnd(VOLUME_ID.bytes / 2, ' ').slice(0, VOLUME_ID.bytes / 2), 'utf16le').swap16();
  for (const at of descriptors) field.copy(head, at + VOLUME_ID.offset);
  return descriptors.length > 0;
}
