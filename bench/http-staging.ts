/**
 * Staging over HTTP against curl: the same ~1 GB of random blobs fetched from
 * a loopback nginx, by capmedia's fetcher (streamed through sha256 into the
 * content store, the stage step's parallelism) and by curl (straight to
 * files, same parallelism). Reported as a throughput ratio, target ≥ 0.9.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startNginx } from '../test/_helpers/nginx.js';
import { ContentStore } from '../src/cache/store.js';
import { fetchIntoStore } from '../src/cache/fetch.js';
import { mapPool } from '../src/cache/pool.js';
import { openDistributionPoint } from '../src/plugins/registry.js';
import type { PackageFile } from '../src/library/manifest.js';

const MiB = 2 ** 20;
const FILES = 8;
const FILE_SIZE = 128 * MiB;
/** Same as the stage step's pool (src/tasks/stage.ts). */
const PARALLELISM = 8;
const ROUNDS = 3;

interface Row {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

export async function benchHttpStaging(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-bench-http-'));
  const nginx = await startNginx([{ path: '/lib/', root: join(dir, 'lib') }]).catch(async (error) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  try {
    const files = await writeLibrary(join(dir, 'lib'));
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    const url = `${nginx.url}/lib/`;
    const ours = { wall: Infinity, cpu: Infinity };
    const curl = { wall: Infinity, cpu: Infinity };
    // Alternating rounds, best of each: the page cache and CPU boost favour neither.
    for (let round = 0; round < ROUNDS; round++) {
      best(curl, await timeCurl(url, files, join(dir, 'curl')));
      best(ours, await timeStaging(url, files, join(dir, 'cas')));
    }
    const mbps = (seconds: number) => bytes / MiB / seconds;
    return [
      { name: `http staging ${formatGiB(bytes)}: capmedia`, value: mbps(ours.wall), unit: 'MiB/s' },
      { name: `http staging ${formatGiB(bytes)}: curl`, value: mbps(curl.wall), unit: 'MiB/s' },
      { name: 'http staging CPU time: capmedia (hashing included)', value: ours.cpu, unit: 's' },
      { name: 'http staging CPU time: curl', value: curl.cpu, unit: 's' },
      { name: 'http staging throughput vs curl', value: curl.wall / ours.wall, unit: '×', target: '≥ 0.9' },
    ];
  } finally {
    await nginx.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Random (incompressible) blobs written straight into the library layout, hashed as they are written. */
async function writeLibrary(root: string): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  await mkdir(join(root, 'files'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const temp = join(root, `blob-${i}.tmp`);
    const hash = createHash('sha256');
    const handle = await open(temp, 'w');
    try {
      for (let written = 0; written < FILE_SIZE; written += 8 * MiB) {
        const chunk = randomBytes(Math.min(8 * MiB, FILE_SIZE - written));
        hash.update(chunk);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    const sha256 = hash.digest('hex');
    await mkdir(join(root, 'files', sha256.slice(0, 2)), { recursive: true });
    await rename(temp, join(root, 'files', sha256.slice(0, 2), sha256));
    files.push({ path: `large-${i}.bin`, size: FILE_SIZE, sha256 });
  }
  await mkdir(join(root, 'packages'), { recursive: true });
  await writeFile(join(root, 'packages/BENCH.json'), JSON.stringify({ id: 'BENCH', kind: 'content', files }));
  return files;
}

interface Timing {
  wall: number;
  cpu: number;
}

function best(into: Timing, run: Timing): void {
  into.wall = Math.min(into.wall, run.wall);
  into.cpu = Math.min(into.cpu, run.cpu);
}

async function timeStaging(url: string, files: PackageFile[], casDir: string): Promise<Timing> {
  await rm(casDir, { recursive: true, force: true });
  const store = new ContentStore(casDir);
  const dp = openDistributionPoint({ name: 'bench', url });
  await settleDisk();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await mapPool(files, PARALLELISM, (file) => fetchIntoStore(store, file, 'BENCH', [dp]));
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  await dp.close?.();
  await rm(casDir, { recursive: true, force: true });
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

async function timeCurl(url: string, files: PackageFile[], outDir: string): Promise<Timing> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const args = ['-sS', '--fail', '--parallel', '--parallel-max', String(PARALLELISM)];
  for (const file of files) args.push('-o', join(outDir, file.sha256), `${url}files/${file.sha256.slice(0, 2)}/${file.sha256}`);
  await settleDisk();
  const started = process.hrtime.bigint();
  // GNU time reports the child's own CPU seconds: user and system.
  const { stderr } = await execa('/usr/bin/time', ['-f', '%U %S', 'curl', ...args]);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(outDir, { recursive: true, force: true });
  const [user, system] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall, cpu: user + system };
}

/** The previous round's dirty pages and discards must not be flushed on the next round's time. */
async function settleDisk(): Promise<void> {
  await execa('sync');
}

function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

// Run alone: node --import tsx bench/http-staging.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchHttpStaging())
    console.log(
      `${row.name}: ${row.value.toFixed(row.unit === 'MiB/s' ? 1 : 3)} ${row.unit}${row.target ? ` (target ${row.target})` : ''}`,
    );
}
