/**
 * The few parts of a PE/COFF image (UEFI loaders, the EFI-stub kernel) that
 * say how Secure Boot will treat it: its sections (`.sbat`, `.sbatlevel`) and
 * its Authenticode certificate table. Read from a buffer; nothing is executed.
 */

export interface PeSection {
  name: string;
  /** The section's bytes as loaded (VirtualSize, not the file-aligned size). */
  data: Buffer;
}

export interface PeImage {
  sections: PeSection[];
  /** One entry per WIN_CERTIFICATE of type PKCS_SIGNED_DATA: the DER of its PKCS#7 SignedData. */
  signatures: Buffer[];
}

const PE_SIGNATURE = 0x00004550; // "PE\0\0"
const PE32 = 0x10b;
const PE32_PLUS = 0x20b;
const CERTIFICATE_TABLE = 4;
const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

/** Parses a PE image; undefined when the bytes are not one (too short, wrong magic). */
export function parsePe(bytes: Buffer): PeImage | undefined {
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = bytes.readUInt32LE(0x3c);
  if (pe + 24 > bytes.length || bytes.readUInt32LE(pe) !== PE_SIGNATURE) return undefined;
  const sectionCount = bytes.readUInt16LE(pe + 6);
  const optionalSize = bytes.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = bytes.readUInt16LE(optional);
  if (magic !== PE32 && magic !== PE32_PLUS) return undefined;
  const directories = optional + (magic === PE32_PLUS ? 112 : 96);
  const directoryCount = bytes.readUInt32LE(directories - 4);
  const symbols = bytes.readUInt32LE(pe + 12);
  const strings = symbols === 0 ? 0 : symbols + 18 * bytes.readUInt32LE(pe + 16);
  const sections = readSections(bytes, optional + optionalSize, sectionCount, strings);
  const signatures =
    directoryCount > CERTIFICATE_TABLE
      ? readCertificateTable(
          bytes,
          bytes.readUInt32LE(directories + 8 * CERTIFICATE_TABLE),
          bytes.readUInt32LE(directories + 8 * CERTIFICATE_TABLE + 4),
        )
      : [];
  return { sections, signatures };
}

function readSections(bytes: Buffer, start: number, count: number, stringTable: number): PeSection[] {
  const sections: PeSection[] = [];
  for (let i = 0; i < count; i++) {
    const header = start + 40 * i;
    if (header + 40 > bytes.length) break;
    const name = sectionName(bytes, header, stringTable);
    const virtualSize = bytes.readUInt32LE(header + 8);
    const rawSize = bytes.readUInt32LE(header + 16);
    const rawOffset = bytes.readUInt32LE(header + 20);
    const size = Math.min(virtualSize || rawSize, rawSize);
    sections.push({ name, data: bytes.subarray(rawOffset, Math.min(rawOffset + size, bytes.length)) });
  }
  return sections;
}

/** Names longer than 8 bytes (".sbatlevel", ".vendor_cert") are "/<offset>" into the COFF string table. */
function sectionName(bytes: Buffer, header: number, stringTable: number): string {
  const short = bytes.toString('latin1', header, header + 8).replace(/\0+$/, '');
  const offset = /^\/(\d+)$/.exec(short)?.[1];
  if (offset === undefined || stringTable === 0) return short;
  const start = stringTable + Number(offset);
  const end = bytes.indexOf(0, start);
  return start < bytes.length && end > start ? bytes.toString('latin1', start, end) : short;
}

/** The certificate table's offset is a file offset (not an RVA); entries are 8-byte aligned. */
function readCertificateTable(bytes: Buffer, offset: number, size: number): Buffer[] {
  const signatures: Buffer[] = [];
  const end = Math.min(offset + size, bytes.length);
  let entry = offset;
  while (offset > 0 && entry + 8 <= end) {
    const length = bytes.readUInt32LE(entry);
    if (length < 8 || entry + length > end) break;
    if (bytes.readUInt16LE(entry + 6) === WIN_CERT_TYPE_PKCS_SIGNED_DATA) signatures.push(bytes.subarray(entry + 8, entry + length));
    entry += Math.ceil(length / 8) * 8;
  }
  return signatures;
}

export function sectionText(image: PeImage, name: string): string | undefined {
  const section = image.sections.find((s) => s.name === name);
  return section?.data.toString('utf8').replace(/\0[\s\S]*$/, '');
}

/** One line of a `.sbat` section: component, generation, vendor name, package, version, URL. */
export interface SbatEntry {
  component: string;
  generation: number;
  vendor: string;
  package: string;
  version: string;
}

/** The SBAT self-description (CSV); shim refuses a loader whose generation is below the machine's SbatLevel. */
export function sbatEntries(image: PeImage): SbatEntry[] {
  return parseSbatCsv(sectionText(image, '.sbat') ?? '');
}

export function parseSbatCsv(text: string): SbatEntry[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(','))
    .filter((fields) => fields.length >= 2 && fields[0] && /^\d+$/.test(fields[1]))
    .map(([component, generation, vendor = '', pkg = '', version = '']) => ({
      component,
      generation: Number(generation),
      vendor,
      package: pkg,
      version,
    }));
}

/** The revocations a shim writes to the machine's SbatLevel variable: the default ("previous") and the opt-in ("latest") policy. */
export interface SbatLevel {
  previous: string;
  latest: string;
}

/** `.sbatlevel`: a version word, two offsets (from the end of that word) to NUL-terminated CSV policies. */
export function sbatLevel(image: PeImage): SbatLevel | undefined {
  const data = image.sections.find((s) => s.name === '.sbatlevel')?.data;
  if (!data || data.length < 12 || data.readUInt32LE(0) !== 0) return undefined;
  const policy = (offset: number) => {
    const start = 4 + offset;
    const end = data.indexOf(0, start);
    return start < data.length ? data.toString('utf8', start, end < 0 ? data.length : end).trim() : '';
  };
  return { previous: policy(data.readUInt32LE(4)), latest: policy(data.readUInt32LE(8)) };
}
