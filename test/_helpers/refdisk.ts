import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exec } from '../../src/tools/exec.js';

/**
 * A reference computer's disk, made at test time without root: a GPT with an
 * ext4 partition (mkfs.ext4 -d fills it from a folder) and a FAT partition
 * (mkfs.fat --offset + mtools), holding known files and random data. It also
 * reads partitions back (debugfs, mtools) so tests can compare restored disks.
 */

const MIB = 1024 * 1024;

export interface ReferencePartition {
  number: number;
  fs: 'ext4' | 'vfat';
  offset: number;
  bytes: number;
  /** Path inside the file system → sha256 of its content. */
  files: Record<string, string>;
}

export interface ReferenceDisk {
  image: string;
  bytes: number;
  partitions: ReferencePartition[];
}

export interface ReferenceDiskOptions {
  /** Random (incompressible) MiB in the ext4 partition; default 6. */
  randomMiB?: number;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function makeReferenceDisk(dir: string, options: ReferenceDiskOptions = {}): Promise<ReferenceDisk> {
  const image = join(dir, 'reference.img');
  const ext = { number: 1, fs: 'ext4' as const, offset: 1 * MIB, bytes: 40 * MIB };
  const fat = { number: 2, fs: 'vfat' as const, offset: 41 * MIB, bytes: 24 * MIB };
  const bytes = 66 * MIB;
  await writeFile(image, '');
  await truncate(image, bytes);
  const table = [
    'label: gpt',
    'label-id: 6A1D3F58-0C2B-4C4E-9E55-5D0C7A1E0001',
    `start=${ext.offset / 512}, size=${ext.bytes / 512}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"`,
    `start=${fat.offset / 512}, size=${fat.bytes / 512}, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="data"`,
  ].join('\n');
  await exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', image], { input: `${table}\n` });
  const extFiles = await writeExtPartition(dir, image, ext.offset, ext.bytes, options.randomMiB ?? 6);
  const fatFiles = await writeFatPartition(dir, image, fat.offset, fat.bytes);
  return {
    image,
    bytes,
    partitions: [
      { ...ext, files: extFiles },
      { ...fat, files: fatFiles },
    ],
  };
}

async function writeExtPartition(
  dir: string,
  image: string,
  offset: number,
  bytes: number,
  randomMiB: number,
): Promise<Record<string, string>> {
  const tree = join(dir, 'ext-tree');
  const contents: Record<string, Buffer> = {
    'etc/hostname': Buffer.from('reference-pc\n'),
    'home/anna/notes.txt': Buffer.from('Reference image notes: ÅÄÖ, "quotes", \\backslash\\\n'.repeat(50)),
    'data/random.bin': randomBytes(randomMiB * MIB),
    'data/zeros.bin': Buffer.alloc(2 * MIB),
    'data/small random.bin': randomBytes(4097),
  };
  for (const [path, data] of Object.entries(contents)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), data);
  }
  const part = join(dir, 'ext.img');
  await exec('mkfs.ext4', ['-q', '-F', '-L', 'REFROOT', '-E', 'root_owner=0:0', '-d', tree, part, `${bytes / 1024}k`]);
  await copyRegion(part, image, offset);
  await rm(part, { force: true });
  await rm(tree, { recursive: true, force: true });
  return Object.fromEntries(Object.entries(contents).map(([path, data]) => [path, sha256(data)]));
}

async function writeFatPartition(dir: string, image: string, offset: number, bytes: number): Promise<Record<string, string>> {
  await exec('mkfs.fat', ['-F', '16', '-n', 'REFDATA', '--offset', String(offset / 512), image, String(bytes / 1024)]);
  const contents: Record<string, Buffer> = {
    'README.TXT': Buffer.from('capmedia reference FAT partition\r\n'),
    'BOOT/CONFIG.INI': Buffer.from('[boot]\r\ntimeout=5\r\n'),
    'RANDOM.BIN': randomBytes(3 * MIB + 123),
  };
  const target = `${image}@@${offset}`;
  await exec('mmd', ['-i', target, '::/BOOT']);
  const scratch = await mkdtemp(join(dir, 'fat-'));
  for (const [path, data] of Object.entries(contents)) {
    const file = join(scratch, path.replaceAll('/', '_'));
    await writeFile(file, data);
    await exec('mcopy', ['-i', target, file, `::/${path}`]);
  }
  await rm(scratch, { recursive: true, force: true });
  return Object.fromEntries(Object.entries(contents).map(([path, data]) => [path, sha256(data)]));
}

/** Writes the whole of source into target at offset (target keeps its size). */
export async function copyRegion(source: string, target: string, offset: number): Promise<void> {
  await pipeline(createReadStream(source), createWriteStream(target, { flags: 'r+', start: offset }));
}

/** Copies bytes [offset, offset+length) of source into a new file. */
export async function extractRegion(source: string, offset: number, length: number, target: string): Promise<void> {
  await pipeline(createReadStream(source, { start: offset, end: offset + length - 1 }), createWriteStream(target));
}

export async function sha256Region(file: string, offset: number, length: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { start: offset, end: offset + length - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads the reference's known files from the same partition of another disk
 * image (e.g. a restored one) and returns their hashes; a missing file maps
 * to "missing". Also checks the file system with its fsck, read-only.
 */
export async function readPartitionFiles(
  diskImage: string,
  partition: ReferencePartition,
): Promise<{ files: Record<string, string>; fsckClean: boolean }> {
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-readback-'));
  try {
    const part = join(scratch, 'part.img');
    await extractRegion(diskImage, partition.offset, partition.bytes, part);
    const files: Record<string, string> = {};
    for (const path of Object.keys(partition.files)) {
      const out = join(scratch, 'file');
      const ok = await readOneFile(partition.fs, part, path, out).then(
        () => true,
        () => false,
      );
      files[path] = ok ? sha256(await readFile(out)) : 'missing';
    }
    const fsck = partition.fs === 'ext4' ? ['e2fsck', ['-f', '-n', part]] : ['fsck.fat', ['-n', part]];
    const fsckClean = await exec(fsck[0] as string, fsck[1] as string[]).then(
      () => true,
      () => false,
    );
    return { files, fsckClean };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readOneFile(fs: 'ext4' | 'vfat', part: string, path: string, out: string): Promise<void> {
  await rm(out, { force: true });
  if (fs === 'vfat') {
    await exec('mcopy', ['-n', '-i', part, `::/${path}`, out]);
    return;
  }
  const { stderr } = await exec('debugfs', ['-R', `dump "/${path}" ${out}`, part]);
  if (/not found|File not found/i.test(stderr)) throw new Error(stderr);
  await readFile(out);
}
