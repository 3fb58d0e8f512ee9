import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exec } from '../../../tools/exec.js';
import { isIsoImage } from '../../../tools/image-kind.js';
import { extractFromIso, inspectIso } from '../../../tools/xorriso.js';
import { checksumState, isRegularFile } from '../checksum.js';
import { compareFiles, expectedFiles, isoFiles } from '../manifest-files.js';
import type { MediaReport } from '../types.js';
import { uefiOnly } from '../usb/inspect-image.js';
import { isoUefiChain } from '../uefi-chain.js';
import { isoNameProblems } from '../name-problems.js';
import { MEDIA_CONTENT_JSON, parseMediaContent } from '../../../lock/media-record.js';
import { MEDIA_PATHS } from '../../../media-paths.js';

function volumeOf(
  set: { volumeCount: number; volumes: Array<{ number: number; label: string }> },
  volumeId: string,
): MediaReport['volume'] {
  const match = set.volumes.find((v) => v.label === volumeId);
  return match ? { number: match.number, of: set.volumeCount } : undefined;
}

/** Inspects a built ISO without mounting it: boot records, label, MediaLabel.txt, checksum. */
export async function inspectIsoMedia(file: string, exec: Exec): Promise<MediaReport | undefined> {
  if (!(await isRegularFile(file)) || !(await isIsoImage(file))) return undefined;
  const iso = await inspectIso(exec, file);
  const text = iso.elTorito;
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-verify-'));
  const problems: string[] = [];
  try {
    const mediaLabel = await readOptional(exec, file, 'MediaLabel.txt', scratch);
    const ts = await readOptional(exec, file, MEDIA_PATHS.taskSequence, scratch);
    const set = await readOptional(exec, file, MEDIA_PATHS.mediaSet, scratch);
    const content = parseMediaContent(await readOptional(exec, file, MEDIA_CONTENT_JSON, scratch));
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

async function readOptional(exec: Exec, iso: string, path: string, scratch: string): Promise<string | undefined> {
  const target = join(scratch, path.replace(/\//g, '_'));
  try {
    await extractFromIso(exec, iso, path, target);
    return await readFile(target, 'utf8');
  } catch {
    return undefined;
  }
}
