import { constants } from 'node:fs';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { fail, ioError } from '../../../errors/index.js';
import type { NormalizedMedia } from '../../../config/media.js';
import type { SystemRoots } from '../../../devices/roots.js';
import { syncDevice } from '../../../devices/write.js';
import type { FolderFile } from '../../../library/walk.js';
import { volumeLabel } from '../../../tools/mtools.js';
import { describeMapping, fatVolumeLabel } from '../labels.js';
import type { PackInput, PackResult, PublishInput } from '../types.js';
import type { BootPlatform } from '../../boot/types.js';
import { checkFileSizes, splitLargeWims, type FileLimits } from './content.js';
import type { DriveTarget } from './drive.js';
import { copyOntoFat32Volume, findFat32Volume } from './existing.js';
import { checkMountedFat32, copyOntoFolder } from './folder.js';
import { writeUsbImage } from './image.js';
import { planLayout } from './layout.js';
import { addOwnFilesList, foldersOf, listTree } from './tree.js';
import { imageBytesOf, type TargetKind } from './target.js';

/**
 * The staged tree as it goes onto FAT32: checked again against the 4 GiB
 * limit (the tree is what is written), large .wim files split when asked, and
 * the list of capmedia's own files added.
 */
export async function prepareTree(input: PackInput, media: NormalizedMedia, limits: FileLimits): Promise<FolderFile[]> {
  await input.platform.fatBoot?.addToTree?.({ treeDir: input.treeDir, epoch: input.sourceDateEpoch });
  const files = await listTree(input.treeDir);
  checkFileSizes(files, media.splitLargeFiles, limits);
  if (media.splitLargeFiles) {
    await splitLargeWims({ files, limits, exec: input.exec, epoch: input.sourceDateEpoch, signal: input.signal, notice: input.notice });
  }
  return addOwnFilesList(input.treeDir, input.sourceDateEpoch);
}

/** format: true — a new partitioned FAT32 image (R6), labelled with the mapped first 11 characters (R12). */
export async function packNewImage(input: PackInput, media: NormalizedMedia, files: FolderFile[]): Promise<PackResult> {
  const boot = bootFilesOf(input.platform, files);
  const fat = fatVolumeLabel(input.label);
  const mapping = describeMapping('FAT volume', input.label, fat);
  if (mapping) input.notice(mapping);
  const layout = planLayout({
    fileSizes: files.map((f) => f.size),
    folderCount: foldersOf(files).length,
    imageBytes: imageBytesOf(media),
    partitionTable: media.partitionTable ?? 'mbr',
    seed: `${input.sourceDateEpoch}\0${media.label}`,
  });
  await writeUsbImage({
    files,
    output: input.output,
    layout,
    fatLabel: fat.value,
    boot,
    exec: input.exec,
    env: input.env,
    signal: input.signal,
  });
  if (!boot.syslinuxDirectory) input.notice(`the ${input.platform.name} boot image has no SYSLINUX files: the medium boots by UEFI only`);
  return { output: input.output, size: layout.imageBytes, volumeLabel: fat.value };
}

function bootFilesOf(platform: BootPlatform, files: readonly FolderFile[]) {
  const boot = platform.fatBoot;
  if (!boot) {
    throw fail('usbBootUnsupported', { platform: platform.name });
  }
  const needed = [boot.uefiLoader, ...(boot.syslinuxDirectory ? [`${boot.syslinuxDirectory}/syslinux.cfg`] : [])];
  // FAT ignores case, and so do the firmware and SYSLINUX looking for these files.
  const present = new Set(files.map((f) => f.path.toLowerCase()));
  for (const path of needed) {
    if (!present.has(path.toLowerCase())) {
      throw fail('usbBootFileMissing', { path });
    }
  }
  return boot;
}

/** format: false on an image file: a copy of it gets the files, and replaces it by rename (R10). */
export async function packExistingImage(input: PackInput, media: NormalizedMedia, files: FolderFile[]): Promise<PackResult> {
  try {
    // A reflink where the file system can: no second copy of a large image.
    await copyFile(media.output, input.output, constants.COPYFILE_FICLONE);
  } catch (error) {
    throw ioError('copy the existing image', media.output, error);
  }
  const volume = await findFat32Volume(input.exec, input.output, input.env, input.signal);
  const { replaced, removed } = await copyOntoFat32Volume(input.exec, volume, files);
  input.notice(
    `copied ${files.length} files onto the existing FAT32 volume of ${media.output} (${replaced} replaced${removed.length ? `, ${removed.length} removed because the media no longer carry them` : ''}); other files were left alone`,
  );
  return { output: input.output, size: (await stat(input.output)).size, volumeLabel: await volumeLabel(input.exec, volume) };
}

interface CopyPlan {
  treeDir: string;
  files: FolderFile[];
  epoch: number;
}

/** format: false on a drive or a mounted folder: nothing is written before publish; the plan says what will be. */
export async function packCopyPlan(input: PackInput, files: FolderFile[]): Promise<PackResult> {
  const plan: CopyPlan = { treeDir: input.treeDir, files, epoch: input.sourceDateEpoch };
  await writeFile(input.output, `${JSON.stringify(plan, null, 2)}\n`);
  return { output: input.output, size: (await stat(input.output)).size, volumeLabel: '' };
}

export async function publishCopy(input: PublishInput, kind: TargetKind, drive: DriveTarget, roots: SystemRoots): Promise<void> {
  const plan = JSON.parse(await readFile(input.temp, 'utf8')) as CopyPlan;
  const { media, exec, notice } = input;
  if (kind === 'folder') {
    await checkMountedFat32(roots, media.output, notice);
    const { removed } = await copyOntoFolder(media.output, plan.files, plan.epoch, exec);
    notice(
      `copied ${plan.files.length} files onto ${media.output}${removed.length ? ` and removed ${removed.length} the media no longer carry` : ''}; other files were left alone`,
    );
    return;
  }
  await drive.recheck(media);
  const volume = await findFat32Volume(exec, media.output, { SOURCE_DATE_EPOCH: String(plan.epoch) }, input.signal);
  const { removed } = await copyOntoFat32Volume(exec, volume, plan.files);
  await syncDevice(media.output);
  notice(
    `copied ${plan.files.length} files onto the FAT32 volume of ${media.output}${removed.length ? ` and removed ${removed.length} the media no longer carry` : ''}; other files were left alone`,
  );
}
