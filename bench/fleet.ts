/**
 * A CI fleet sharing one remote cache: 8 site media (one config each) over a
 * shared content library of ≥ 1 GB (BENCH_FLEET_MB to make it smaller) on an
 * nginx distribution point, and an nginx WebDAV cache. Runner A (a
 * protected-branch job, read-write) builds all 8, then runners B, C, D
 * (read-only, fresh local caches) build the same 8 at once. Compared with one
 * runner building all 8 without a remote cache: DP bytes served (from nginx's
 * access log), xorriso runs (a counting wrapper on PATH), wall time.
 */
import { chmod, cp, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { startNginx, type Nginx } from '../test/_helpers/nginx.js';
import { publishFolder } from '../src/library/publish.js';
import { openDistributionPoint } from '../src/plugins/registry.js';
import type { BenchRow } from './iso.js';

const MiB = 2 ** 20;
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BOOT_IMAGE = fileURLToPath(new URL('../.capmedia/bootimage-x64', import.meta.url));
const SITES = 8;
const READERS = 3;
const PASSWORD = randomBytes(12).toString('hex');

export async function benchFleet(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-bench-fleet-'));
  let nginx: Nginx | undefined;
  try {
    const contentBytes = await makeLibrary(join(dir, 'dp'), Number(process.env.BENCH_FLEET_MB ?? 1024) * MiB);
    await mkdir(join(dir, 'cache'), { recursive: true });
    nginx = await startNginx([
      { path: '/dp/', root: join(dir, 'dp') },
      { path: '/cache/', root: join(dir, 'cache'), dav: true, basicWrites: { user: 'ci', password: PASSWORD } },
    ]);
    const counter = await xorrisoCounter(dir);
    const server = nginx;
    const run = (name: string, remote: 'write' | 'read' | 'none') => runner(dir, server, counter, name, remote);

    const single = await measured(server, counter, () => run('single', 'none'));
    const writer = await measured(server, counter, () => run('A', 'write'));
    const readers = await measured(server, counter, () => Promise.all(Array.from({ length: READERS }, (_, i) => run(`R${i}`, 'read'))));
    const fleet = {
      seconds: writer.seconds + readers.seconds,
      dpBytes: writer.dpBytes + readers.dpBytes,
      xorriso: writer.xorriso + readers.xorriso,
    };
    const tag = `${READERS + 1} runners × ${SITES} media, ${(contentBytes / 2 ** 30).toFixed(2)} GiB content`;
    return [
      { name: `fleet (${tag}): DP bytes served / content`, value: fleet.dpBytes / contentBytes, unit: '×', target: '≤ 1.1' },
      { name: 'fleet: DP bytes served / content, one runner alone', value: single.dpBytes / contentBytes, unit: '×' },
      { name: 'fleet: xorriso runs / distinct media', value: fleet.xorriso / SITES, unit: '×', target: '≤ 1' },
      { name: 'fleet: cache bytes downloaded by the read-only runners', value: readers.cacheBytes / MiB, unit: 'MiB' },
      { name: 'fleet: wall time, one runner building all 8 (no remote cache)', value: single.seconds, unit: 's' },
      { name: 'fleet: wall time, runner A then B, C, D at once', value: fleet.seconds, unit: 's' },
      { name: 'fleet: wall time, 4 runners sharing the cache / one runner', value: fleet.seconds / single.seconds, unit: '×' },
      { name: 'fleet: wall time, 3 read-only runners at once / one runner', value: readers.seconds / single.seconds, unit: '×' },
    ];
  } finally {
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Measured {
  seconds: number;
  dpBytes: number;
  cacheBytes: number;
  xorriso: number;
}

/** Wall time, and what nginx served and xorriso did meanwhile (both logs are read before and after). */
async function measured(nginx: Nginx, counter: Counter, work: () => Promise<unknown>): Promise<Measured> {
  await execa('sync');
  const [log, runs] = [(await nginx.accessLog()).length, await counter.runs()];
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = (await nginx.accessLog()).slice(log).split('\n');
  return {
    seconds,
    dpBytes: servedBytes(lines, 'GET /dp/files/'),
    cacheBytes: servedBytes(lines, 'GET /cache/cas/'),
    xorriso: (await counter.runs()) - runs,
  };
}

/** Bytes sent for matching requests: the field after the status in nginx's combined log format. */
function servedBytes(lines: string[], request: string): number {
  let sum = 0;
  for (const line of lines) {
    if (!line.includes(`"${request}`)) continue;
    const match = /" (\d{3}) (\d+) /.exec(line);
    if (match && match[1].startsWith('2')) sum += Number(match[2]);
  }
  return sum;
}

/** One CI runner: its own checkout (the 8 site configs) and its own empty local cache, building site after site. */
async function runner(dir: string, nginx: Nginx, counter: Counter, name: string, remote: 'write' | 'read' | 'none'): Promise<void> {
  const checkout = join(dir, `runner-${name}`);
  await mkdir(checkout, { recursive: true });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    CI: 'true',
    SOURCE_DATE_EPOCH: '1700000000',
    CAPMEDIA_CACHE_DIR: join(checkout, 'cache'),
    PATH: `${counter.bin}:${process.env.PATH}`,
  };
  if (remote === 'write') Object.assign(env, { CAPMEDIA_REMOTE_CACHE_WRITE: '1', BENCH_CACHE_PASSWORD: PASSWORD });
  try {
    for (let site = 1; site <= SITES; site++) {
      const config = join(checkout, `site-${site}.json`);
      await writeFile(config, JSON.stringify(siteConfig(nginx, site, remote !== 'none')));
      const result = await execa('node', [CLI, 'build', '--config', config], { env, reject: false, all: true });
      if (result.exitCode !== 0) throw new Error(`runner ${name}, site ${site} failed:\n${String(result.all).slice(-3000)}`);
      if (process.env.BENCH_FLEET_VERBOSE) console.error(`--- runner ${name}, site ${site}\n${String(result.all)}`);
    }
  } finally {
    // The outputs are not needed after timing; the disk is shared.
    await rm(checkout, { recursive: true, force: true });
  }
}

function siteConfig(nginx: Nginx, site: number, remote: boolean) {
  return {
    distributionPoints: [{ name: 'dp01', url: `${nginx.url}/dp/` }],
    bootImage: { package: 'BOOT' },
    content: ['COMMON', `SITE${site}`],
    taskSequence: { image: { name: `Site ${site} reference` }, destination: 'disk:CAPTURE' },
    media: { type: 'iso', file: `out/site-${site}.iso`, size: 'unlimited', label: `Site ${site}`, staging: './staging' },
    ...(remote ? { cache: { remote: { url: `${nginx.url}/cache/`, auth: { username: 'ci', passwordEnv: 'BENCH_CACHE_PASSWORD' } } } } : {}),
  };
}

/** The content library: the boot image, one package every site carries (a quarter), one per site (the rest). Its bytes, all counted. */
async function makeLibrary(library: string, total: number): Promise<number> {
  const dp = openDistributionPoint({ name: 'bench', url: pathToFileURL(library).href });
  const scratch = `${library}-src`;
  const common = Math.floor(total / 4);
  const perSite = Math.floor((total - common) / SITES);
  let bytes = 0;
  const packages: Array<[string, number]> = [
    ['COMMON', common],
    ...Array.from({ length: SITES }, (_, i) => [`SITE${i + 1}`, perSite] as [string, number]),
  ];
  for (const [id, size] of packages) {
    const folder = join(scratch, id);
    await mkdir(folder, { recursive: true });
    for (let part = 0; part < 2; part++) bytes += await randomFile(join(folder, `data-${part}.bin`), Math.floor(size / 2));
    await publishFolder(folder, { id }, dp);
    await rm(folder, { recursive: true, force: true });
  }
  await cp(BOOT_IMAGE, join(scratch, 'boot'), { recursive: true });
  const boot = await publishFolder(join(scratch, 'boot'), { id: 'BOOT' }, dp);
  bytes += boot.manifest.files.reduce((sum, f) => sum + f.size, 0);
  await rm(scratch, { recursive: true, force: true });
  return bytes;
}

async function randomFile(path: string, size: number): Promise<number> {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < size; written += 8 * MiB) await handle.write(randomBytes(Math.min(8 * MiB, size - written)));
  } finally {
    await handle.close();
  }
  return size;
}

interface Counter {
  bin: string;
  runs(): Promise<number>;
}

/** xorriso on PATH that counts image writes (not version probes or size estimates), then runs the real one. */
async function xorrisoCounter(dir: string): Promise<Counter> {
  const bin = join(dir, 'bin');
  const log = join(dir, 'xorriso-runs.log');
  const real = (await execa('sh', ['-c', 'command -v xorriso'])).stdout.trim();
  await mkdir(bin, { recursive: true });
  await writeFile(
    join(bin, 'xorriso'),
    `#!/bin/sh\ncase " $* " in *" -print-size "*|*" -version "*) ;; *" mkisofs "*) echo run >> '${log}' ;; esac\nexec '${real}' "$@"\n`,
  );
  await chmod(join(bin, 'xorriso'), 0o755);
  await writeFile(log, '');
  return { bin, runs: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).length };
}

// Run alone: node --import tsx bench/fleet.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchFleet())
    console.log(`${row.name}: ${row.value.toFixed(row.unit === '×' ? 3 : 1)} ${row.unit}${row.target ? ` (target ${row.target})` : ''}`);
}
