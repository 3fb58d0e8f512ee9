import type { Exec } from '../../../tools/exec.js';
import { checksumState, isRegularFile } from '../checksum.js';
import { expectedFiles } from '../manifest-files.js';
import type { MediaReport } from '../types.js';
import { inspectUsbImage } from './inspect-image.js';

/** A FAT32 USB image: partition, FAT label, boot files, MediaLabel.txt, files vs the manifest by path. */
export async function inspectUsbMedia(file: string, exec: Exec): Promise<MediaReport | undefined> {
  if (!(await isRegularFile(file))) return undefined;
  const usb = await inspectUsbImage(exec, file);
  if (!usb) return undefined;
  const problems: string[] = [];
  const { paths, ...shown } = usb;
  const report: MediaReport = { file, ...shown, checksum: await checksumState(file), problems };
  if (!report.bootUefi) problems.push('no UEFI loader EFI/BOOT/BOOTX64.EFI');
  if (!report.bootBios) problems.push('no BIOS boot code (MBR + SYSLINUX)');
  if (report.mediaLabel === undefined) problems.push('MediaLabel.txt missing or without label=');
  if (!report.taskSequence) problems.push('no task sequence at SMS/data/TaskSequence.json');
  if (report.checksum === 'mismatch') problems.push('the file does not match its .sha256');
  const expected = await expectedFiles(file);
  if (expected) {
    const missing = expected.filter((f) => !paths.has(f.path.toLowerCase())).map((f) => `missing ${f.path}`);
    report.files = missing.length ? `${missing.length} problem(s)` : `${expected.length} files present (by path)`;
    problems.push(...missing.slice(0, 20));
  }
  return report;
}
