/**
 * What a label-only rebuild's time is made of (the README's breakdown):
 * node bench/profile-label.ts with the same 1 GB fixture as the bench; xorriso
 * runs through a timing wrapper on PATH, capmedia's own CPU comes from
 * --cpu-prof (written to BENCH_PROFILE_DIR, default a temp folder that is kept:
 * the profile is this script's output; the wrapper's folder is removed).
 */
import { writeFile, mkdtemp, readFile, chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixture } from './fixture.js';
import { measure } from './measure.js';

const MiB = 2 ** 20;
const BOOT_IMAGE = fileURLToPath(new URL('../.capmedia/bootimage-x64', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function config(libraryUrl: string, label: string): string {
  return JSON.stringify({
    distributionPoints: [{ name: 'bench', url: libraryUrl }],
    bootImage: { package: 'BOOT' },
    content: ['DATA'],
    taskSequence: { image: { name: 'Bench' }, destination: 'disk:CAPTURE' },
    media: { type: 'iso', file: 'out/bench.iso', size: 'unlimited', label, staging: './staging' },
    cache: { dir: './cache' },
  });
}

const fixture = await makeFixture({ largeFiles: 8, largeSize: 128 * MiB, smallFiles: 4000, bootImage: BOOT_IMAGE });
const wrap = await mkdtemp(join(tmpdir(), 'capmedia-xorriso-wrap-'));
try {
  const log = join(wrap, 'xorriso.log');
  await writeFile(join(wrap, 'xorriso'), `#!/bin/sh\nexec /usr/bin/time -f "%e %U %S" -a -o ${log} /usr/bin/xorriso "$@"\n`);
  await chmod(join(wrap, 'xorriso'), 0o755);
  const profiles = process.env.BENCH_PROFILE_DIR ?? (await mkdtemp(join(tmpdir(), 'capmedia-label-profile-')));
  await mkdir(profiles, { recursive: true });
  const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CI: 'true', PATH: `${wrap}:${process.env.PATH}` } as Record<
    string,
    string
  >;
  const cwd = fixture.dir;
  await writeFile(join(cwd, 'capmedia.config.json'), config(fixture.libraryUrl, 'Bench A'));
  await measure('node', [CLI, 'build'], { cwd, env });
  await writeFile(log, '');
  await writeFile(join(cwd, 'capmedia.config.json'), config(fixture.libraryUrl, 'Bench B'));
  const run = await measure('node', ['--cpu-prof', `--cpu-prof-dir=${profiles}`, CLI, 'build'], { cwd, env });
  const [xWall, xUser, xSys] = (await readFile(log, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
  console.log(`label-only rebuild: wall ${run.seconds.toFixed(3)} s, CPU ${run.cpuSeconds.toFixed(3)} s (xorriso included)`);
  console.log(`  xorriso: wall ${xWall.toFixed(3)} s, CPU ${(xUser + xSys).toFixed(3)} s`);
  console.log(
    `  capmedia besides xorriso: wall ${(run.seconds - xWall).toFixed(3)} s, CPU ${(run.cpuSeconds - xUser - xSys).toFixed(3)} s`,
  );
  console.log(
    `  profile: ${join(
      profiles,
      (await readdir(profiles)).find((f) => f.endsWith('.cpuprofile'))!,
    )}`,
  );
} finally {
  await rm(wrap, { recursive: true, force: true });
  await fixture.cleanup();
}
