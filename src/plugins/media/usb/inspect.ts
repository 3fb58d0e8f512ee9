import type { Exec } from '../../../tools/exec.js';
import { checksumState, isRegularFile } from '../checksum.js';
import { expectedFiles } from '../manifest-files.js';
import type { MediaReport } from '../types.js';
import { inspectUsbImage, uefiOnly } from './inspect-image.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fatUefiChain } from '../uefi-chain.js';
import { fatNameProblems } from '../name-problems.js';

/** A FAT32 USB image: partition, FAT label, boot files, MediaLabel.txt, files vs the manifest by path. */
export async function inspectUsbMedia(file: string, exec: Exec): Promise<MediaReport | undefined> {
  if (!(await isRegularFile(file))) return undefined;
  const usb = await inspectUsbImage(exec, file);
  if (!usb) return undefined;
  const problems: string[] = [];
  const { paths, fatOffset, ...shown } = usb;
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-verify-'));
  const uefiChain = await fatUefiChain({ file, offset: fatOffset, env: {} }, scratch).finally(() =>
    rm(scratch, { recursive: true, force: true }),
  );
  const report: MediaReport = { file, ...shown, checksum: await checksumState(file), uefiChain, problems };
  problems.push(...(uefiChain?.problems ?? []));
  if (!report.bootUefi) problems.push('no UEFI loader EFI/BOOT/BOOTX64.EFI (or BOOTIA32.EFI, BOOTAA64.EFI)');
  if (!report.bootBios && !uefiOnly(paths)) problems.push('no BIOS boot code (MBR + SYSLINUX)');
  if (report.mediaLabel === undefined) problems.push('MediaLabel.txt missing or without label=');
  if (!report.taskSequence) problems.push('no task sequence at SMS/data/TaskSequence.json');
  if (report.checksum === 'mismatch') problems.push('the file does not match its .sha256');
  const expected = await expectedFiles(file);
  if (expected) {
    const missing = expected.filter((f) => !paths.has(f.path.toLowerCase())).map((f) => `missing ${f.path}`);
    report.files = missing.length ? `${missing.length} problem(s)` : `${expected.length} files present (by path)`;
    problems.push(...missing.slice(0, 20));
  }
  problems.push(...(await fatNameProblems(file, fatOffset)));
  return report;
}
