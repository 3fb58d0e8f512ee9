import { chmod, copyFile, mkdir, readdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapmediaError, fail, ioError } from '../../../errors/index.js';
import { addFolderToWim, readWimHeader, setWimImageTime } from '../../../tools/wimlib.js';
import type { MediaFile, PrepareContentInput } from '../types.js';
import {
  BIOS_PROMPT,
  EFISYS_NOPROMPT,
  MEDIA_TASK_SEQUENCE_FOLDER,
  findEntry,
  missingPaths,
  requiredPaths,
  type WinpeLayout,
} from './layout.js';

/** Inside the WIM: TsmBootstrap looks for the task sequence at X:\sms\data of the booted WinPE. */
const WIM_TASK_SEQUENCE_FOLDER = 'sms/data';

/**
 * The stage hook of the winpe platform: the task sequence files go into
 * sources/boot.wim (as Configuration Manager's media do) and stay on the
 * media root too. The stored boot.wim is shared and hard-linked, so wimlib
 * works on a copy and the result is stored as a new blob.
 */
export async function injectTaskSequence(input: PrepareContentInput, layout: WinpeLayout): Promise<MediaFile[]> {
  const bootWim = requireBootFiles(input.files, layout);
  const taskSequence = input.files.filter((f) => f.packageId === '' && f.target.toLowerCase().startsWith(MEDIA_TASK_SEQUENCE_FOLDER));
  const epoch = input.sourceDateEpoch;
  const wim = join(input.workDir, 'boot.wim');
  await copyBlob(input.blobPath(bootWim.sha256), wim);
  const image = await bootImageIndex(input, wim, bootWim);
  const overlay = await writeOverlay(input, taskSequence, epoch);
  await addFolderToWim(input.exec, { wim, image, folder: overlay, destination: '/', env: input.env });
  await setWimImageTime(input.exec, wim, image, epoch);
  const stored = await input.storeFile(wim);
  input.notice(`the task sequence was added to ${bootWim.target} (image ${image}) at \\sms\\data, where WinPE's TsmBootstrap reads it`);
  const prepared = { ...bootWim, ...stored, packageId: '' };
  return withoutBiosPrompt(
    input,
    input.files.map((f) => (f === bootWim ? prepared : f)),
  );
}

/** resolve checks the package's files by their usual spelling; this catches any spelling. */
function requireBootFiles(files: readonly MediaFile[], layout: WinpeLayout): MediaFile {
  const bootImageFiles = files.filter((f) => f.packageId !== '' && !f.target.startsWith('SMS/PKG/'));
  const absent = missingPaths(
    bootImageFiles.map((f) => f.target),
    requiredPaths(layout),
  );
  if (absent.length) {
    throw fail('winpeBootFilesMissing', { absent });
  }
  return findEntry(bootImageFiles, layout.bootWim)!;
}

async function copyBlob(blob: string, copy: string): Promise<void> {
  try {
    await copyFile(blob, copy);
    // A blob may be read-only; the copy is ours to change.
    await chmod(copy, 0o644);
  } catch (error) {
    throw ioError('copy the boot image to', copy, error);
  }
}

/** The image Windows Boot Manager starts: the one flagged bootable, else the first (a WinPE boot.wim has one). */
async function bootImageIndex(input: PrepareContentInput, wim: string, entry: MediaFile): Promise<number> {
  const wimFacts = { path: entry.target, packageId: entry.packageId };
  const header = await readWimHeader(input.exec, wim).catch((error: unknown) => {
    if (!(error instanceof CapmediaError) || error.code !== 'TOOL_FAILED') throw error;
    const reason = error.message.replace(/^.*?: /, '').replace(/\.$/, '');
    throw fail('winpeBootWimUnreadable', { ...wimFacts, reason }, { detail: error.detail, cause: error });
  });
  if (header.partNumber !== '1/1' || header.imageCount < 1) {
    throw fail('winpeBootWimNotWhole', { ...wimFacts, imageCount: header.imageCount, partNumber: header.partNumber });
  }
  return header.bootIndex || 1;
}

/**
 * The task sequence files as a folder tree (sms/data/…) merged into the
 * image's root: folders wimupdate creates itself would get the wall clock.
 * Copies, never links: setting times on a link would change the shared blob.
 * Times are set just before wimlib reads them (reading moves atimes), so the
 * WIM gets the same bytes each build.
 */
async function writeOverlay(input: PrepareContentInput, files: readonly MediaFile[], epoch: number): Promise<string> {
  const root = join(input.workDir, 'overlay');
  const folder = join(root, WIM_TASK_SEQUENCE_FOLDER);
  try {
    await mkdir(folder, { recursive: true });
    for (const file of files) {
      const target = join(folder, file.target.slice(MEDIA_TASK_SEQUENCE_FOLDER.length));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(input.blobPath(file.sha256), target);
    }
    await setTimes(root, epoch);
  } catch (error) {
    throw ioError('write the task sequence for boot.wim in', root, error);
  }
  return root;
}

async function setTimes(path: string, epoch: number): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await setTimes(child, epoch);
    else await utimes(child, epoch, epoch);
  }
  await utimes(path, epoch, epoch);
}

/**
 * A package that carries efisys_noprompt.bin asks for media that start
 * without "Press any key": UEFI gets that image (isoBootArgs), and BIOS
 * (etfsboot.com) prompts only when boot/bootfix.bin is there, so it is left off.
 */
function withoutBiosPrompt(input: PrepareContentInput, files: MediaFile[]): MediaFile[] {
  const prompt = findEntry(files, BIOS_PROMPT);
  if (!prompt || !findEntry(files, EFISYS_NOPROMPT)) return files;
  input.notice(
    `${prompt.target} was left off the media: the package carries ${EFISYS_NOPROMPT}, so neither BIOS nor UEFI asks to "Press any key to boot from CD or DVD"`,
  );
  return files.filter((f) => f !== prompt);
}
