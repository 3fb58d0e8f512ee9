/**
 * Staging over HTTP against curl: the same ~1 GB of random blobs fetched from
 * a loopback nginx, by capmedia's fetcher (streamed through sha256 into the
 * content store, the stage step's parallelism), by curl (straight to
 * files, same parallelism; target ≥ 0.9×) and by what a careful admin runs to
 * fetch and verify, `curl URL | tee FILE | sha256sum` per file, as many at once
 * (target ≥ 1.0×).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { startNginx } from '../test/_helpers/nginx.js';
import { ContentStore } from '../src/cache/store.js';
import { fetchIntoStore } from '../src/cache/fetch.js';
import { mapPool } from '../src/cache/pool.js';
import { openDistributionPoint } from '../src/plugins/registry.js';
import type { PackageFile } from '../src/library/manifest.js';

const MiB = 2 ** 20;
const FILES = 8;
/** BENCH_HTTP_MB=64 for a quick run (1,024 by default). */
const FILE_SIZE = (Number(process.env.BENCH_HTTP_MB) || 1024) * (MiB / FILES);
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
    const ours = unmeasured();
    const curl = unmeasured();
    const verified = unmeasured();
    const loadBefore = loadavg()[0];
    // Alternating rounds, best of each: the page cache and CPU boost favour neither.
    for (let round = 0; round < ROUNDS; round++) {
      best(curl, await timeCurl(url, files, join(dir, 'curl')));
      best(verified, await timeCurlSha256sum(url, files, join(dir, 'curl-sha256sum')));
      best(ours, await timeStaging(url, files, join(dir, 'cas')));
    }
    const loadAfter = loadavg()[0];
    const mbps = (seconds: number) => bytes / MiB / seconds;
    return [
      { name: `http staging ${formatGiB(bytes)}: capmedia`, value: mbps(ours.wall), unit: 'MiB/s' },
      { name: `http staging ${formatGiB(bytes)}: curl`, value: mbps(curl.wall), unit: 'MiB/s' },
      { name: `http staging ${formatGiB(bytes)}: curl | tee | sha256sum`, value: mbps(verified.wall), unit: 'MiB/s' },
      ...cpuRows('capmedia (hashing included)', ours),
      ...cpuRows('curl', curl),
      ...cpuRows('curl | tee | sha256sum', verified),
      // Wall-clock ratios mean little on a busy machine (two cores shared): the CPU rows above are what to compare then.
      { name: 'http staging load average (1 min) before the rounds', value: loadBefore, unit: '' },
      { name: 'http staging load average (1 min) after the rounds', value: loadAfter, unit: '' },
      { name: 'http staging throughput vs curl', value: curl.wall / ours.wall, unit: '×', target: '≥ 0.9' },
      { name: 'http staging throughput vs curl | tee | sha256sum', value: verified.wall / ours.wall, unit: '×', target: '≥ 1.0' },
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
  /** User + system seconds, and each (the round with the least CPU). */
  cpu: number;
  user: number;
  system: number;
}

const unmeasured = (): Timing => ({ wall: Infinity, cpu: Infinity, user: Infinity, system: Infinity });

function cpuRows(peer: string, timing: Timing): Row[] {
  return [
    { name: `http staging CPU time: ${peer}`, value: timing.cpu, unit: 's' },
    { name: `http staging CPU time: ${peer}, user`, value: timing.user, unit: 's' },
    { name: `http staging CPU time: ${peer}, system`, value: timing.system, unit: 's' },
  ];
}

function best(into: Timing, run: Timing): void {
  into.wall = Math.min(into.wall, run.wall);
  if (run.cpu < into.cpu) Object.assign(into, { cpu: run.cpu, user: run.user, system: run.system });
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
  return { wall, cpu: (used.user + used.system) / 1e6, user: used.user / 1e6, system: used.system / 1e6 };
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
  return { wall, cpu: user + system, user, system };
}

/** Fetch and verify: each file through its own curl | tee | sha256sum pipeline, all files at once (= PARALLELISM). */
async function timeCurlSha256sum(url: string, files: PackageFile[], outDir: string): Promise<Timing> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await settleDisk();
  const started = process.hrtime.bigint();
  const seconds = await Promise.all(
    files.map(async (file, i) => {
      // A kernel pipe between the three, as a shell makes (execa's .pipe would copy every byte through this process);
      // each under GNU time, its CPU seconds into its own file.
      const timed = (name: string, command: string, args: string[]): [string, string[]] => [
        '/usr/bin/time',
        ['-f', '%U %S', '-o', join(outDir, `${i}.${name}.time`), command, ...args],
      ];
      const curl = spawn(...timed('curl', 'curl', ['-sS', '--fail', `${url}files/${file.sha256.slice(0, 2)}/${file.sha256}`]), {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const tee = spawn(...timed('tee', 'tee', [join(outDir, file.sha256)]), { stdio: [curl.stdout, 'pipe', 'inherit'] });
      const sum = spawn(...timed('sha256sum', 'sha256sum', []), { stdio: [tee.stdout, 'pipe', 'inherit'] });
      let stdout = '';
      sum.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      // The ends this process holds are never read: wait for exits (a paused stream never closes), then let go of them.
      const codes = await Promise.all([curl, tee, sum].map((child) => new Promise<number | null>((done) => child.on('exit', done))));
      await new Promise((done) => (sum.stdout.readableEnded ? done(undefined) : sum.stdout.on('end', done)));
      curl.stdout.destroy();
      tee.stdout.destroy();
      if (codes.some((code) => code !== 0))
        throw new Error(`curl | tee | sha256sum of ${file.path} failed: exit codes ${codes.join(', ')}`);
      if (!stdout.startsWith(file.sha256)) throw new Error(`curl | tee | sha256sum: ${file.path} does not match its hash`);
      const used = { user: 0, system: 0 };
      for (const name of ['curl', 'tee', 'sha256sum']) {
        const [user, system] = (await readFile(join(outDir, `${i}.${name}.time`), 'utf8'))
          .trim()
          .split('\n')
          .at(-1)!
          .split(' ')
          .map(Number);
        used.user += user;
        used.system += system;
      }
      return used;
    }),
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(outDir, { recursive: true, force: true });
  const user = seconds.reduce((sum, s) => sum + s.user, 0);
  const system = seconds.reduce((sum, s) => sum + s.system, 0);
  return { wall, cpu: user + system, user, system };
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
