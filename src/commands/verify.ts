import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { isIsoImage } from '../tools/image-kind.js';
import { inspectUsbImage, uefiOnly } from './verify-usb.js';
import { fatNameProblems, isoNameProblems } from './verify-names.js';
import { declaredImageSize } from '../tools/image-size.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CapmediaError } from '../errors.js';
import { sha256File } from '../library/hash.js';
import { exec } from '../tools/exec.js';
import { extractFromIso, inspectIso } from '../tools/xorriso.js';
import { compareFiles, expectedFiles, isoFiles } from './verify-files.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';
import type { MediaReport } from './media-report.js';
import { MEDIA_CONTENT_JSON, parseMediaContent, type MediaContent } from '../lock/media-record.js';
import { fatUefiChain, isoUefiChain } from './verify-efi.js';
import { uefiChainLines } from '../efi/chain.js';

export type { MediaReport } from './media-report.js';

function volumeOf(
  set: { volumeCount: number; volumes: Array<{ number: number; label: string }> },
  volumeId: string,
): MediaReport['volume'] {
  const match = set.volumes.find((v) => v.label === volumeId);
  return match ? { number: match.number, of: set.volumeCount } : undefined;
}

/** Inspects a built ISO without mounting it: boot records, label, MediaLabel.txt, checksum. */
export async function inspectMedia(file: string): Promise<MediaReport> {
  if (!(await isIsoImage(file))) return inspectUsbMedia(file);
  const iso = await inspectIso(exec, file);
  const text = iso.elTorito;
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-verify-'));
  const problems: string[] = [];
  try {
    const mediaLabel = await readOptional(file, 'MediaLabel.txt', scratch);
    const ts = await readOptional(file, 'SMS/data/TaskSequence.json', scratch);
    const set = await readOptional(file, 'SMS/data/MediaSet.json', scratch);
    const content = parseMediaContent(await readOptional(file, MEDIA_CONTENT_JSON, scratch));
    const volume = set ? volumeOf(JSON.parse(set), iso.volumeId) : undefined;
    const report: MediaReport = {
      file,
      volumeId: iso.volumeId,
      jolietVolumeId: iso.jolietVolumeId,
      bootBios: /El Torito boot img\s*:\s*\d+\s+BIOS/.test(text),
      bootUefi: /El Torito boot img\s*:\s*\d+\s+UEFI/.test(text),
      partitionTable: /GPT/.test(text) ? 'MBR+GPT' : /MBR partition table/.test(text) ? 'MBR' : 'none',
      mediaLabel: /^label=(.*)$/m.exec(mediaLabel ?? '')?.[1]?.replace(/\r$/, ''),
      taskSequence: ts ? (JSON.parse(ts) as { name: string }).name : undefined,
      checksum: await checksumState(file),
      volume,
      content,
      uefiChain: await isoUefiChain(file, scratch),
      problems,
    };
    // Data volumes of a set (k ≥ 2) carry content only: no boot records, no task sequence.
    const dataVolume = volume !== undefined && volume.number > 1;
    const onIso = await isoFiles(exec, file);
    const isoPaths = new Set([...onIso.keys()].map((p) => p.toLowerCase()));
    if (!report.bootBios && !dataVolume && !uefiOnly(isoPaths)) problems.push('no BIOS El Torito boot image');
    if (!report.bootUefi && !dataVolume) problems.push('no UEFI El Torito boot image');
    if (report.mediaLabel === undefined) problems.push('MediaLabel.txt missing or without label=');
    if (!report.taskSequence && !dataVolume) problems.push('no task sequence at SMS/data/TaskSequence.json');
    if (report.checksum === 'mismatch') problems.push('the file does not match its .sha256');
    problems.push(...(report.uefiChain?.problems ?? []));
    const expected = await expectedFiles(file);
    if (expected) {
      const fileProblems = compareFiles(expected, onIso);
      report.files = fileProblems.length ? `${fileProblems.length} problem(s)` : `${expected.length} files match the manifest`;
      problems.push(...fileProblems.slice(0, 20));
    }
    problems.push(...(await isoNameProblems(exec, file)));
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A FAT32 USB image: partition, FAT label, boot files, MediaLabel.txt, files vs the manifest by path. */
async function inspectUsbMedia(file: string): Promise<MediaReport> {
  const usb = await inspectUsbImage(exec, file);
  if (!usb) {
    throw new CapmediaError('VERIFY_FAILED', `${file} is neither an ISO 9660 image nor a disk image with a FAT file system.`, {
      hint: 'Pass a built ISO (media.file) or USB image (media.device).',
    });
  }
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

async function readOptional(iso: string, path: string, scratch: string): Promise<string | undefined> {
  const target = join(scratch, path.replace(/\//g, '_'));
  try {
    await extractFromIso(exec, iso, path, target);
    return await readFile(target, 'utf8');
  } catch {
    return undefined;
  }
}

async function checksumState(file: string): Promise<MediaReport['checksum']> {
  const expected = await readFile(`${file}.sha256`, 'utf8').catch(() => undefined);
  if (!expected) return 'no checksum file';
  return expected.split(/\s+/)[0] === (await sha256File(file)).sha256 ? 'ok' : 'mismatch';
}

export async function verifyCommand(args: CommonArgs & { output: string }, printer: Printer): Promise<void> {
  const file = resolve(args.cwd, args.output);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    throw new CapmediaError('USAGE', `${file} ${info ? 'is not a file' : 'does not exist'}.`, {
      hint: 'Pass the path of a built ISO (media.file) or USB image (media.device).',
    });
  }
  await checkComplete(file, args.output, info.size);
  const report = await inspectMedia(file).catch((error: unknown) => {
    if (!(error instanceof CapmediaError) || error.code !== 'TOOL_FAILED') throw error;
    throw new CapmediaError('VERIFY_FAILED', `${args.output} could not be read as capture media: ${error.message}`, {
      hint: 'The file is damaged or is not an image capmedia built; build it again with `capmedia build`.',
      detail: error.detail,
      cause: error,
    });
  });
  printer.result(report, () =>
    [
      `${report.file}`,
      `  volume id:       ${report.volumeId}${report.volume ? ` (volume ${report.volume.number} of ${report.volume.of})` : ''}`,
      ...(report.jolietVolumeId === undefined ? [] : [`  Windows shows:   ${JSON.stringify(report.jolietVolumeId)} (Joliet volume name)`]),
      `  boot:            BIOS ${report.bootBios ? 'yes' : 'NO'}, UEFI ${report.bootUefi ? 'yes' : 'NO'}, partition table ${report.partitionTable}`,
      `  MediaLabel.txt:  ${report.mediaLabel === undefined ? 'missing' : `label=${report.mediaLabel}`}`,
      `  task sequence:   ${report.taskSequence ?? 'missing'}`,
      ...uefiChainLines(report.uefiChain),
      `  checksum:        ${report.checksum}`,
      `  files:           ${report.files ?? 'no build manifest beside it'}`,
      ...describeContent(report.content),
    ].join('\n'),
  );
  if (report.problems.length) {
    throw new CapmediaError('VERIFY_FAILED', `${report.file} is not complete capture media: ${report.problems.join('; ')}.`, {
      hint: 'Rebuild it with `capmedia build`.',
    });
  }
}

/** What the media say they carry (SMS/data/MediaContent.json): the lock digest and each package's version. */
function describeContent(content: MediaContent | undefined): string[] {
  if (!content) return [`  content:         no ${MEDIA_CONTENT_JSON} (built before capmedia.lock, or a data volume of a set)`];
  return [
    `  lock digest:     ${content.lockDigest}`,
    ...content.packages.map((p) => `  package:         ${p.id} ${p.version} (${p.kind}, manifest ${p.manifestSha256})`),
  ];
}

/** A cut-off copy (an interrupted download or dd) is named as such, before any tool reads it. */
async function checkComplete(file: string, shown: string, size: number): Promise<void> {
  const declared = await declaredImageSize(file).catch(() => undefined);
  if (declared !== undefined && size < declared) {
    throw new CapmediaError('VERIFY_FAILED', `${shown} is truncated: ${size} bytes, the image says ${declared}.`, {
      hint: `Copy or build it again (capmedia build writes ${shown} whole or not at all).`,
    });
  }
}
