import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sha256File } from '../../src/library/hash.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import type { EspImage } from '../../src/plugins/boot/types.js';
import { espImageFor } from '../../src/plugins/media/iso/esp.js';
import { isoMedia } from '../../src/plugins/media/iso/index.js';
import type { PackInput } from '../../src/plugins/media/types.js';
import { derivedCache, type DerivedServices } from '../../src/tasks/derived-cache.js';
import { exec } from '../../src/tools/exec.js';
import type { Exec } from '../../src/tools/exec.js';
import { bootableContent } from './_boot-image.js';
import { buildServices, TOOLS } from './_derived.js';

const EPOCH = 1_764_000_000;
const ENV = { SOURCE_DATE_EPOCH: String(EPOCH), TZ: 'UTC', LC_ALL: 'C' };
const ESP: EspImage = { label: 'EFIBOOT', files: ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/grub.cfg'], placement: { appended: { partition: 2 } } };

/** Boot files on disk, one cache folder, and the real tools with a count of how often mkfs.fat ran. */
async function fixture(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-esp-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'boot'));
  await writeFile(join(dir, 'boot', 'loader'), Buffer.alloc(300_000, 7));
  await writeFile(join(dir, 'boot', 'grub.cfg'), 'set timeout=0\n');
  const cacheDir = join(dir, 'cache');
  let formats = 0;
  const counting = (async (command: string, args: readonly string[], options?: object) => {
    if (command === 'mkfs.fat') formats++;
    return exec(command, args, options as never);
  }) as Exec;
  /** A new build: its own services (so nothing is remembered in memory), the same cache folder. */
  const build = (tools: Record<string, string> = TOOLS) => buildServices(cacheDir, tools);
  const sources: Record<string, string> = {
    'EFI/BOOT/BOOTX64.EFI': join(dir, 'boot', 'loader'),
    'EFI/BOOT/grub.cfg': join(dir, 'boot', 'grub.cfg'),
  };
  const esp = async (services: DerivedServices | undefined, workDir = join(dir, 'work')) => {
    await mkdir(workDir, { recursive: true });
    const derived = services && derivedCache(services);
    return espImageFor(ESP, {
      source: (target) => sources[target],
      knownSha256: () => undefined,
      workDir,
      exec: counting,
      env: ENV,
      derived,
    });
  };
  return { dir, esp, build, formats: () => formats };
}

test('the ESP is made once per build and reused by a later build; the cached image equals one made without the cache', async (t) => {
  const { dir, esp, build, formats } = await fixture(t);
  const services = build();
  const first = await esp(services);
  t.is(await esp(services), first, 'a second volume or estimate of the same build gets the same file');
  t.is(formats(), 1);
  t.false(relative(join(dir, 'cache', 'cas'), first).startsWith('..'), 'kept in the content store');
  t.is(await esp(build()), first, 'the next build (a label-only rebuild) reuses it');
  t.is(formats(), 1, 'without running mkfs.fat again');
  const fresh = await esp(undefined, join(dir, 'fresh'));
  t.true((await readFile(fresh)).equals(await readFile(first)), 'byte-identical to the image made in workDir as before');
});

test('a changed boot file or a changed mtools version makes a new ESP; the old one stays for builds that still match', async (t) => {
  const { dir, esp, build, formats } = await fixture(t);
  const before = await esp(build());
  const cfg = join(dir, 'boot', 'grub.cfg');
  const { mtime } = await stat(cfg);
  await writeFile(cfg, 'set timeout=5\n');
  const changed = await esp(build());
  t.not(changed, before);
  t.is(formats(), 2);
  const newTools = await esp(build({ ...TOOLS, mcopy: 'mcopy (GNU mtools) 4.0.44' }));
  t.is(formats(), 3, 'a different mcopy may write different bytes');
  t.is(newTools, changed, 'the bytes happen to be the same blob');
  await writeFile(cfg, 'set timeout=0\n');
  await utimes(cfg, mtime, mtime);
  t.is(await esp(build()), before);
  t.is(formats(), 3, 'the first ESP is found again (mcopy -m keeps the time, so the time is part of the key)');
  await utimes(cfg, mtime.getTime() / 1000 + 60, mtime.getTime() / 1000 + 60);
  t.not(await esp(build()), before);
  t.is(formats(), 4, 'the same bytes with another time are another ESP');
});

test('a damaged cached ESP is detected by its hash, made again and the store copy repaired', async (t) => {
  const { esp, build, formats } = await fixture(t);
  const cached = await esp(build());
  const good = await sha256File(cached);
  const bytes = await readFile(cached);
  bytes[100_000] ^= 0xff;
  await writeFile(cached, bytes);
  t.is(await esp(build()), cached);
  t.is(formats(), 2, 'the damaged copy was not used');
  t.deepEqual(await sha256File(cached), good);
  await rm(cached);
  t.is(await esp(build()), cached);
  t.is(formats(), 3, 'a removed copy (capmedia clean) is made again too');
});

test('a bootable ISO packed with the cached ESP is byte-identical to one packed without it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-esp-iso-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const content = await bootableContent(dir);
  const pack = async (name: string, derived: PackInput['derived']) => {
    const [treeDir, workDir] = [join(dir, name, 'tree'), join(dir, name, 'work')];
    await Promise.all([mkdir(treeDir, { recursive: true }), mkdir(workDir, { recursive: true })]);
    await writeFile(join(treeDir, 'MediaLabel.txt'), 'label=ESP\n');
    const output = join(dir, `${name}.iso`);
    const input: PackInput = {
      treeDir,
      workDir,
      output,
      label: 'ESP',
      platform: linuxPlatform,
      exec,
      env: ENV,
      sourceDateEpoch: EPOCH,
      notice: () => {},
    };
    const result = await isoMedia.pack({ ...input, content, derived });
    t.is(result.sha256, (await sha256File(output)).sha256);
    return readFile(output);
  };
  const cacheDir = join(dir, 'cache');
  const services = () => buildServices(cacheDir);
  const plain = await pack('plain', undefined);
  t.true((await pack('cached-miss', derivedCache(services()))).equals(plain), 'the build that makes and stores the ESP');
  t.true((await pack('cached-hit', derivedCache(services()))).equals(plain), 'the build that reuses it');
});
