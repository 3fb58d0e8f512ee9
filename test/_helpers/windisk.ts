import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, constants, link, mkdir, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { startNginx, type Nginx } from './nginx.js';
import { copyRegion } from './refdisk.js';
import { makeInTempFolder } from './temp.js';
import { programPath } from './programs.js';

/**
 * A Windows reference computer's disk, made at test time: a GPT with a FAT
 * EFI system partition and an NTFS "Windows" partition filled through
 * ntfs-3g (FUSE), holding what a WIM capture must keep — Unicode names, a
 * hard link, a named stream, a junction, a file with its own security
 * descriptor — plus pagefile.sys and hiberfil.sys, which it must leave out.
 * Needs root and /dev/fuse (see `ntfsFixtureProblem`).
 */

const MIB = 1024 * 1024;

export interface WindowsDisk {
  image: string;
  bytes: number;
  /** The NTFS volume alone, byte-identical to partition 2 (for host captures). */
  volume: string;
  ntfs: { number: number; offset: number; bytes: number };
  esp: { number: number; offset: number; bytes: number };
  /** Path inside the NTFS volume → sha256, for every file a capture must keep. */
  files: Record<string, string>;
  /** Left out by Microsoft's default exclusions. */
  excluded: string[];
}

export interface WindowsDiskOptions {
  /** hiberfil.sys starts with "hibr", as after hibernation or Fast Startup. */
  hibernated?: boolean;
  /** Boot sector carries BitLocker's "-FVE-FS-" signature. */
  bitlocker?: boolean;
  /** Marked dirty, as ntfsfix leaves it for chkdsk. */
  dirty?: boolean;
  /** Incompressible MiB in the volume; default 2. */
  randomMiB?: number;
  /** Compressible MiB (text-like logs) in the volume; default 0. */
  textMiB?: number;
  /** Size of the NTFS partition; default 40. */
  ntfsMiB?: number;
  name?: string;
}

/** Why NTFS fixtures cannot be made here, or undefined when they can. */
export async function ntfsFixtureProblem(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'NTFS fixtures are written through ntfs-3g (FUSE), which needs root';
  const fuse = await access('/dev/fuse', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  );
  if (!fuse) return '/dev/fuse is not usable';
  for (const tool of ['ntfs-3g', 'mkntfs', 'setfattr', 'wimlib-imagex', 'ntfscat']) {
    if (!(await programPath(tool))) return `${tool} is not installed (./setup.sh installs it)`;
  }
  return undefined;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function makeWindowsDisk(dir: string, options: WindowsDiskOptions = {}): Promise<WindowsDisk> {
  const name = options.name ?? 'windows';
  const image = join(dir, `${name}.img`);
  const esp = { number: 1, offset: 1 * MIB, bytes: 8 * MIB };
  const ntfs = { number: 2, offset: 9 * MIB, bytes: (options.ntfsMiB ?? 40) * MIB };
  const bytes = ntfs.offset + ntfs.bytes + MIB;
  await writeFile(image, '');
  await truncate(image, bytes);
  const table = [
    'label: gpt',
    'label-id: 6A1D3F58-0C2B-4C4E-9E55-5D0C7A1E0002',
    `start=${esp.offset / 512}, size=${esp.bytes / 512}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"`,
    `start=${ntfs.offset / 512}, size=${ntfs.bytes / 512}, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Basic data partition"`,
  ].join('\n');
  await exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', image], { input: `${table}\n` });
  await exec('mkfs.fat', ['-n', 'SYSTEM', '--offset', String(esp.offset / 512), image, String(esp.bytes / 1024)]);
  const volume = join(dir, `${name}-ntfs.img`);
  const files = await writeNtfsVolume(dir, volume, ntfs, options);
  await copyRegion(volume, image, ntfs.offset);
  return { image, bytes, volume, ntfs, esp, files, excluded: ['pagefile.sys', 'hiberfil.sys'] };
}

async function writeNtfsVolume(
  dir: string,
  volume: string,
  ntfs: { offset: number; bytes: number },
  options: WindowsDiskOptions,
): Promise<Record<string, string>> {
  await writeFile(volume, '');
  await truncate(volume, ntfs.bytes);
  await exec('mkntfs', ['-q', '-F', '-Q', '-L', 'Windows', '-s', '512', '-p', String(ntfs.offset / 512), '-H', '255', '-S', '63', volume]);
  const mnt = await mkdtemp(join(dir, 'ntfs-mnt-'));
  await exec('ntfs-3g', ['-o', 'streams_interface=xattr,permissions', volume, mnt]);
  const files: Record<string, Buffer> = {
    'Users/Åsa Öberg/Documents/anteckningar.txt': Buffer.from('Åsa Öberg: inköpslista — smör, ägg, 牛乳\r\n'.repeat(40)),
    'Users/Åsa Öberg/Pictures/bild.bin': randomBytes((options.randomMiB ?? 2) * MIB),
    'Windows/System32/config/SOFTWARE': Buffer.concat([Buffer.from('regf'), Buffer.alloc(8188, 1)]),
    'Windows/System32/drivers/etc/hosts': Buffer.from('127.0.0.1 localhost\r\n'),
    'Program Files/Contoso/app.dll': Buffer.concat([randomBytes(64 * 1024), Buffer.alloc(256 * 1024)]),
    'Data/private.txt': Buffer.from('only the owner may read this\r\n'),
  };
  for (let i = 0; i < (options.textMiB ?? 0); i++) {
    const line = (n: number) => `${new Date(1_700_000_000_000 + n * 1000).toISOString()} INFO service[${n % 97}] request ${n} ok\r\n`;
    files[`Windows/Logs/log-${i}.txt`] = Buffer.from(
      Array.from({ length: 20_000 }, (_, n) => line(i * 20_000 + n))
        .join('')
        .slice(0, MIB),
    );
  }
  try {
    for (const [path, data] of Object.entries(files)) {
      await mkdir(dirname(join(mnt, path)), { recursive: true });
      await writeFile(join(mnt, path), data);
    }
    // A hard link, a named stream (an NTFS alternate data stream, through ntfs-3g's xattr interface) and a junction.
    await link(join(mnt, 'Users/Åsa Öberg/Documents/anteckningar.txt'), join(mnt, 'Data/länk till anteckningar.txt'));
    files['Data/länk till anteckningar.txt'] = files['Users/Åsa Öberg/Documents/anteckningar.txt'];
    await exec('setfattr', [
      '-n',
      'user.Zone.Identifier',
      '-v',
      '[ZoneTransfer]\r\nZoneId=3\r\n',
      join(mnt, 'Users/Åsa Öberg/Pictures/bild.bin'),
    ]);
    await mkdir(join(mnt, 'Documents and Settings'));
    await exec('setfattr', ['-n', 'system.ntfs_reparse_data', '-v', junctionReparseData('C:\\Users'), join(mnt, 'Documents and Settings')]);
    // With "permissions", a mode becomes a security descriptor of its own.
    await chmod(join(mnt, 'Data/private.txt'), 0o600);
    // Windows' hiberfil.sys is never small; a plain one is zeros after a full shutdown.
    const hiberfil = Buffer.alloc(64 * 1024);
    if (options.hibernated) hiberfil.write('hibr', 0, 'latin1');
    await writeFile(join(mnt, 'hiberfil.sys'), hiberfil);
    await writeFile(join(mnt, 'pagefile.sys'), randomBytes(64 * 1024));
  } finally {
    await exec('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  }
  if (options.dirty) await exec('ntfsfix', [volume]);
  if (options.bitlocker) await writeAt(volume, 3, Buffer.from('-FVE-FS-'));
  return Object.fromEntries(Object.entries(files).map(([path, data]) => [path, sha256(data)]));
}

/** An NTFS mount point (junction) reparse buffer, as setfattr wants it (0x…). */
export function junctionReparseData(target: string): string {
  const substitute = Buffer.from(`\\??\\${target}\0`, 'utf16le');
  const print = Buffer.from(`${target}\0`, 'utf16le');
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(substitute.length - 2, 2);
  header.writeUInt16LE(substitute.length, 4);
  header.writeUInt16LE(print.length - 2, 6);
  const body = Buffer.concat([header, substitute, print]);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0xa0000003, 0);
  head.writeUInt16LE(body.length, 4);
  return `0x${Buffer.concat([head, body]).toString('hex')}`;
}

async function writeAt(file: string, offset: number, data: Buffer): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}

/**
 * `wimlib-imagex dir --detailed` of an image with what differs between two
 * captures of the same volume removed (where resources sit in the file and
 * their compressed sizes): names, attributes, security descriptors, times,
 * link groups and every stream's hash remain.
 */
export async function wimTreeListing(wim: string, image: number | string, refs: string[] = []): Promise<string> {
  const { stdout } = await exec('wimlib-imagex', ['dir', wim, String(image), '--detailed', ...refs.map((ref) => `--ref=${ref}`)]);
  return stdout
    .split('\n')
    .filter((line) => !/^\s*(Offset in WIM|Compressed size|Part Number|Flags)\s*=/.test(line))
    .join('\n');
}

/** A volume's files as a host capture sees them: captured with the agent's default exclusions. */
export async function hostCapture(volume: string, wim: string, configDir: string): Promise<void> {
  const config = join(configDir, 'wimscript.ini');
  await writeFile(
    config,
    [
      '[ExclusionList]',
      '\\$ntfs.log',
      '\\hiberfil.sys',
      '\\pagefile.sys',
      '\\swapfile.sys',
      '\\System Volume Information',
      '\\RECYCLER',
      '\\$Recycle.Bin',
      '\\Windows\\CSC',
      '',
    ].join('\n'),
  );
  await exec('wimlib-imagex', ['capture', volume, wim, 'host', '--compress=LZX', `--config=${config}`]);
}

/** Files of an NTFS volume read with ntfscat (no mount), path → sha256 or "missing"; scratch holds one file at a time. */
export async function ntfsFiles(scratch: string, volume: string, paths: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of paths) {
    const out = join(scratch, 'ntfscat.out');
    await exec('ntfscat', [volume, path], { stdoutFile: out }).then(
      async () =>
        (files[path] = createHash('sha256')
          .update(await readFile(out))
          .digest('hex')),
      () => (files[path] = 'missing'),
    );
  }
  return files;
}

/** A scratch folder holding a Windows disk, and a WebDAV share (nginx, /images/) over its uploads folder to capture to. */
export interface WindowsCaptureHost {
  work: string;
  windows: WindowsDisk;
  uploads: string;
  nginx: Nginx;
  stop(): Promise<void>;
}

export function startWindowsCaptureHost(prefix: string): Promise<WindowsCaptureHost> {
  return makeInTempFolder(prefix, captureHostIn);
}

async function captureHostIn(work: string): Promise<WindowsCaptureHost> {
  const windows = await makeWindowsDisk(work);
  const uploads = join(work, 'uploads');
  await mkdir(uploads);
  const nginx = await startNginx([{ path: '/images/', root: uploads, dav: true }]);
  return {
    work,
    windows,
    uploads,
    nginx,
    async stop() {
      await nginx.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
