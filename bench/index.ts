/**
 * npm run bench: builds media from generated content and prints ratios
 * against the bare tools on the same data. BENCH_LARGE=1 adds a 4 GB run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeFixture } from './fixture.js';
import { benchIso, type BenchRow } from './iso.js';

const MiB = 2 ** 20;
const BOOT_IMAGE = fileURLToPath(new URL('../.capmedia/bootimage-x64', import.meta.url));

async function optional(path: string, name: string): Promise<BenchRow[]> {
  if (!existsSync(fileURLToPath(new URL(path, import.meta.url)))) return [];
  const mod = (await import(path)) as Record<string, () => Promise<BenchRow[]>>;
  return mod[name]();
}

function print(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    const value = row.unit === '×' ? `${row.value.toFixed(3)}×` : `${row.value.toFixed(row.unit === 's' ? 3 : 1)} ${row.unit}`;
    const verdict = row.target ? `  target ${row.target}  ${meets(row) ? 'ok' : 'MISSED'}` : '';
    console.log(`${row.name.padEnd(width)}  ${value.padStart(12)}${verdict}`);
  }
}

function meets(row: BenchRow): boolean {
  const match = /([<>]=?|≤|≥)\s*([\d.]+)/.exec(row.target ?? '');
  if (!match) return true;
  const limit = Number(match[2]);
  return (
    {
      '<': row.value < limit,
      '≤': row.value <= limit,
      '<=': row.value <= limit,
      '>': row.value > limit,
      '≥': row.value >= limit,
      '>=': row.value >= limit,
    }[match[1]] ?? true
  );
}

async function main(): Promise<void> {
  if (!existsSync(`${BOOT_IMAGE}/capmedia-package.json`) || !existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('run ./setup.sh first (it builds dist/ and the boot image)');
  }
  const rows: BenchRow[] = [];
  const sizes = [{ tag: '1 GB', large: 8, size: 128 * MiB, small: 4000 }];
  if (process.env.BENCH_LARGE) sizes.push({ tag: '4 GB', large: 4, size: 1024 * MiB, small: 4000 });
  for (const s of sizes) {
    const fixture = await makeFixture({ largeFiles: s.large, largeSize: s.size, smallFiles: s.small, bootImage: BOOT_IMAGE });
    try {
      rows.push(...(await benchIso(fixture, BOOT_IMAGE, s.tag)));
    } finally {
      await fixture.cleanup();
    }
  }
  rows.push(...(await optional('./http-staging.ts', 'benchHttpStaging')));
  rows.push(...(await optional('./split.ts', 'benchSplit')));
  rows.push(...(await optional('./fleet.ts', 'benchFleet')));
  rows.push(...(await optional('./capture-wim.ts', 'benchCaptureWim')));
  print(rows);
}

await main();
