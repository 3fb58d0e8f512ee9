/**
 * Volume labels (R12). The media label is kept whole in MediaLabel.txt; the
 * file systems get a mapped copy, and the mapping is reported, never silent.
 */
export interface MappedLabel {
  value: string;
  /** Sentences describing each change made; empty when the label was kept as is. */
  changes: string[];
}

/** ISO 9660 volume id: 32 characters; we keep letters, digits, space, "_", "-", "." and map the rest. */
export function isoVolumeId(label: string): MappedLabel {
  const changes: string[] = [];
  let value = label.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  if (value !== label) changes.push('accents removed');
  const mapped = value.replace(/[^A-Za-z0-9 _.-]/g, '_');
  if (mapped !== value) changes.push('characters other than letters, digits, space, "_", "-" and "." replaced by "_"');
  value = mapped;
  if (value.length > 32) {
    value = value.slice(0, 32);
    changes.push('cut to 32 characters');
  }
  return { value, changes };
}

const FAT_FORBIDDEN = /[*?.,;:/\\|+=<>[\]"]/g;

/** FAT volume label: the first 11 characters, upper case, without the characters FAT forbids. */
export function fatVolumeLabel(label: string): MappedLabel {
  const changes: string[] = [];
  let value = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  if (value !== label) changes.push('non-ASCII characters mapped');
  if (value.length > 11) {
    value = value.slice(0, 11);
    changes.push('cut to the first 11 characters');
  }
  const upper = value.toUpperCase();
  if (upper !== value) changes.push('upper-cased');
  value = upper.replace(FAT_FORBIDDEN, '_');
  if (value !== upper) changes.push('characters FAT forbids (*?.,;:/\\|+=<>[]") replaced by "_"');
  if (value.startsWith(' ')) {
    value = value.replace(/^ +/, (spaces) => '_'.repeat(spaces.length));
    changes.push('leading spaces replaced by "_"');
  }
  return { value: value.trimEnd(), changes };
}

export function describeMapping(kind: string, label: string, mapped: MappedLabel): string | undefined {
  if (mapped.changes.length === 0) return undefined;
  return `${kind} label ${JSON.stringify(label)} → ${JSON.stringify(mapped.value)} (${mapped.changes.join('; ')})`;
}

/** Joliet holds 16 UCS-2 characters of volume id (ECMA-119 supplementary descriptor, 32 bytes). */
export const JOLIET_VOLUME_ID_CHARACTERS = 16;

/**
 * The Joliet volume id: what Windows shows for a mounted ISO (it reads Joliet
 * when there is no UDF). The first 16 characters of the label with Unicode
 * intact; only characters beyond UCS-2 (outside the Basic Multilingual
 * Plane, e.g. emoji) become "_". A data volume of a set keeps its "_k" suffix.
 */
export function jolietVolumeId(label: string, options: { keepSuffix?: boolean } = {}): MappedLabel {
  const changes: string[] = [];
  let chars = [...label].map((c) => (c.length > 1 ? '_' : c));
  if (chars.join('') !== label) changes.push('characters beyond UCS-2 replaced by "_"');
  if (chars.length > JOLIET_VOLUME_ID_CHARACTERS) {
    const suffix = options.keepSuffix ? (/_\d+$/.exec(label)?.[0] ?? '') : '';
    chars = [...chars.slice(0, JOLIET_VOLUME_ID_CHARACTERS - suffix.length), ...suffix];
    changes.push(`cut to the first ${JOLIET_VOLUME_ID_CHARACTERS} characters${suffix ? ` (keeping ${JSON.stringify(suffix)})` : ''}`);
  }
  return { value: chars.join('').trimEnd(), changes };
}
