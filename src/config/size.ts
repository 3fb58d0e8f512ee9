/**
 * Media capacities (R8). Sector counts are the recordable capacities of the
 * physical media, 2048-byte sectors:
 * - CD-R 74 min: 333,000 sectors (ECMA-130 / Orange Book: 74 min × 60 s × 75 sectors/s)
 * - CD-R 80 min: 360,000 sectors (80 × 60 × 75)
 * - DVD±R single layer: 2,295,104 sectors = 4,700,372,992 B (ECMA-267 / DVD+R ECMA-349)
 * - DVD±R dual layer: 4,171,712 sectors = 8,543,666,176 B (ECMA-364 DVD+R DL)
 * - BD-R single layer 25 GB: 12,219,392 sectors (Blu-ray Disc Recordable format, Part 1)
 */
export const SECTOR = 2048;

export const SIZE_PRESETS = {
  cd: 333_000 * SECTOR,
  cd700: 360_000 * SECTOR,
  dvd: 2_295_104 * SECTOR,
  'dvd-dl': 4_171_712 * SECTOR,
  bd: 12_219_392 * SECTOR,
  unlimited: Number.POSITIVE_INFINITY,
} as const;

/** The New-CMCaptureMedia cmdlet's MediaSize spellings. */
const CMDLET_SPELLINGS: Record<string, keyof typeof SIZE_PRESETS> = {
  size650mb: 'cd',
  size4gb: 'dvd',
  size8gb: 'dvd-dl',
  sizeunlimited: 'unlimited',
};

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

export type MediaSize = keyof typeof SIZE_PRESETS | number | string;

export const SIZE_HELP =
  'one of cd, cd700, dvd, dvd-dl, bd, unlimited, Size650MB, Size4GB, Size8GB, SizeUnlimited, a byte count, or a string such as "700MB" or "4GiB"';

/** Capacity in bytes, or undefined when the value is not a size. Infinity means unlimited. */
export function parseMediaSize(value: MediaSize): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const text = value.trim().toLowerCase();
  if (text in SIZE_PRESETS) return SIZE_PRESETS[text as keyof typeof SIZE_PRESETS];
  if (text in CMDLET_SPELLINGS) return SIZE_PRESETS[CMDLET_SPELLINGS[text]];
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/.exec(text);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2] ?? 'b']);
  return bytes > 0 ? bytes : undefined;
}

/** The smallest preset that holds `bytes`, for "would fit on" hints. */
export function smallestPresetFor(bytes: number): string {
  const fits = Object.entries(SIZE_PRESETS).find(([, capacity]) => capacity >= bytes);
  return fits ? fits[0] : 'unlimited';
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]} (${groupThousands(bytes)} B)`;
}

/** 1139519488 → "1,139,519,488": what toLocaleString('en-US') prints, without loading ICU's locale data (~10 ms) on every run. */
function groupThousands(bytes: number): string {
  return String(Math.trunc(bytes)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
