import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaReport } from 'capmedia';
import { MEDIA_LABEL, NETBOOT_FILES, TASK_SEQUENCE_JSON } from './layout.js';
import { hashFile, listFiles } from './pack.js';

/** `capmedia verify` on a network boot folder: loaders present, every file against SHA256SUMS, task sequence and label in the media initrd. */
export async function inspectNetbootFolder(path: string): Promise<MediaReport | undefined> {
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) return undefined;
  const sums = await readFile(join(path, NETBOOT_FILES.sums), 'utf8').catch(() => undefined);
  if (sums === undefined) return undefined;
  const problems: string[] = [];
  for (const line of sums.split('\n').filter(Boolean)) {
    const [expected, file] = [line.slice(0, 64), line.slice(66)];
    const actual = await hashFile(join(path, file)).catch(() => undefined);
    if (!actual) problems.push(`missing ${file}`);
    else if (actual.sha256 !== expected) problems.push(`${file} does not match SHA256SUMS`);
  }
  const media = await readInitrdTexts(join(path, NETBOOT_FILES.mediaInitrd), [TASK_SEQUENCE_JSON, MEDIA_LABEL]).catch(
    () => new Map<string, string>(),
  );
  const recorded = await readFile(`${path}.sha256`, 'utf8').catch(() => undefined);
  const digest = createHash('sha256').update(sums).digest('hex');
  const has = (file: string) => sums.includes(`  ${file}\n`);
  const report: MediaReport = {
    file: path,
    volumeId: '(network boot folder)',
    bootBios: has(NETBOOT_FILES.ipxe) || has(NETBOOT_FILES.pxelinux),
    bootUefi: has(NETBOOT_FILES.ipxe) || has(NETBOOT_FILES.grub),
    partitionTable: 'none (network boot)',
    mediaLabel: /^label=(.*)$/m.exec(media.get(MEDIA_LABEL) ?? '')?.[1]?.replace(/\r$/, ''),
    taskSequence: media.has(TASK_SEQUENCE_JSON) ? (JSON.parse(media.get(TASK_SEQUENCE_JSON)!) as { name?: string }).name : undefined,
    checksum: recorded === undefined ? 'no checksum file' : recorded.split(/\s+/)[0] === digest ? 'ok' : 'mismatch',
    files: problems.length ? `${problems.length} problem(s)` : 'every file matches SHA256SUMS',
    problems,
  };
  if (!report.bootBios && !report.bootUefi) problems.push('no loader configuration (boot.ipxe, pxelinux.cfg/default, grub/grub.cfg)');
  if (report.taskSequence === undefined) problems.push(`no task sequence at ${TASK_SEQUENCE_JSON} in ${NETBOOT_FILES.mediaInitrd}`);
  if (report.mediaLabel === undefined) problems.push(`${MEDIA_LABEL} missing in ${NETBOOT_FILES.mediaInitrd}`);
  if (report.checksum === 'mismatch') problems.push('SHA256SUMS does not match the .sha256 beside the folder');
  return report;
}

/** Reads the named small files (by their path after the initrd's top folder) out of a newc archive, header by header. */
async function readInitrdTexts(file: string, wanted: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const handle = await open(file, 'r');
  try {
    let offset = 0;
    for (;;) {
      const head = Buffer.alloc(110);
      if ((await handle.read(head, 0, 110, offset)).bytesRead < 110 || head.toString('ascii', 0, 6) !== '070701') break;
      const field = (i: number) => parseInt(head.toString('ascii', 6 + i * 8, 14 + i * 8), 16);
      const [size, nameSize] = [field(6), field(11)];
      const name = Buffer.alloc(nameSize - 1);
      await handle.read(name, 0, nameSize - 1, offset + 110);
      const dataStart = align(offset + 110 + nameSize);
      const path = name.toString('utf8');
      if (path === 'TRAILER!!!') break;
      const relative = wanted.find((w) => path.endsWith(`/${w}`));
      if (relative && size < 1 << 20) {
        const data = Buffer.alloc(size);
        await handle.read(data, 0, size, dataStart);
        found.set(relative, data.toString('utf8'));
      }
      offset = align(dataStart + size);
    }
  } finally {
    await handle.close();
  }
  return found;
}

const align = (n: number) => (n + 3) & ~3;

/** The folder's digest (the hash of SHA256SUMS) while every file it lists is intact and nothing else was added. */
export async function folderDigest(path: string): Promise<string | undefined> {
  const sums = await readFile(join(path, NETBOOT_FILES.sums), 'utf8').catch(() => undefined);
  if (sums === undefined) return undefined;
  const listed = sums
    .split('\n')
    .filter(Boolean)
    .map((line) => [line.slice(0, 64), line.slice(66)] as const);
  const present = (await listFiles(path)).filter((file) => file !== NETBOOT_FILES.sums);
  if (present.length !== listed.length) return undefined;
  for (const [expected, file] of listed) {
    if ((await hashFile(join(path, file)).catch(() => undefined))?.sha256 !== expected) return undefined;
  }
  return createHash('sha256').update(sums).digest('hex');
}
