/** A copy of a PE image with its certificate table entry cleared: the same binary, unsigned. */
export function withoutSignature(image: Buffer): Buffer {
  const copy = Buffer.from(image);
  const pe = copy.readUInt32LE(0x3c);
  const optional = pe + 24;
  const directories = optional + (copy.readUInt16LE(optional) === 0x20b ? 112 : 96);
  copy.fill(0, directories + 8 * 4, directories + 8 * 4 + 8);
  return copy;
}
