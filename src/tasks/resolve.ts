import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkReplaceableFolder } from '../fs/output-folder.js';
import { fail } from '../errors/index.js';
import type { Arch } from '../config/schema.js';
import type { BootImageInfo, PackageManifest } from '../library/manifest.js';
import type { BootPlatform } from '../plugins/boot/types.js';
import type { MediaType } from '../plugins/media/types.js';
import { taskSequenceWarnings } from '../tasksequence/build.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { BuildContext, MediaJob } from './context.js';
import type { Resolved } from './results.js';
import type { VersionedManifest } from '../library/versions.js';
import type { LockFile } from '../lock/lockfile.js';
import { readPinnedFromAnyDp } from '../lock/pinned.js';
import { lockOf } from '../lock/entries.js';
import { preferredOrder, readFromFirstDp } from './packages.js';

/** R1: which boot image architectures each target can start. */
const BOOTABLE_ARCHES: Record<Arch, readonly Arch[]> = {
  x64: ['x64', 'x86'],
  x86: ['x86'],
  arm64: ['arm64'],
};

/** The packages the config names, in the versions capmedia.lock pins (or the latest), checked against the target and the media. */
export async function resolveContent(ctx: BuildContext, lock: LockFile | undefined): Promise<Resolved> {
  const { config, services } = ctx;
  const found = new Map<string, VersionedManifest>();
  const read = async (dps: DistributionPoint[], id: string) => {
    const pin = lock?.packages[id];
    const versioned = pin ? await readPinnedFromAnyDp(dps, id, pin, basename(ctx.lockPath)) : await readFromFirstDp(dps, id);
    found.set(id, versioned);
    return versioned.manifest;
  };
  const bootImage = await read(preferredOrder(config, services.dps), config.bootImage.package);
  if (bootImage.kind !== 'bootimage' || !bootImage.bootImage) throw fail('notABootImage', { id: bootImage.id, kind: bootImage.kind });
  checkArchitecture(config.target.arch, bootImage.id, bootImage.bootImage.arch);
  const registered = config.registry.bootPlatform(bootImage.bootImage.platform);
  const platform = registered.forArch?.(bootImage.bootImage.arch) ?? registered;
  checkRequiredFiles(bootImage, platform);
  const missing = missingDrivers(config.target.drivers, bootImage.bootImage);
  if (missing.length) reportMissingDrivers(ctx, bootImage, missing);
  const content = [];
  for (const id of config.content) content.push(await read(services.dps, id));
  for (const job of ctx.jobs) await checkTarget(ctx, job);
  services.notices.push(...taskSequenceWarnings(config).map((warning) => `warning: ${warning}`));
  return { bootImage, platform, content, lock: lockOf(found), pinned: new Set([...found.keys()].filter((id) => lock?.packages[id])) };
}

async function checkTarget(ctx: BuildContext, job: MediaJob): Promise<void> {
  const type = ctx.config.registry.mediaType(job.media.type);
  await checkOutputPath(job.media, type);
  await type.checkTarget?.({
    media: job.media,
    exec: ctx.services.exec,
    confirm: ctx.services.confirm,
    protectedPaths: protectedPaths(ctx),
  });
}

export function checkArchitecture(target: Arch, packageId: string, bootArch: Arch): void {
  if (BOOTABLE_ARCHES[target].includes(bootArch)) return;
  throw fail('archMismatch', { packageId, bootArch, target, bootable: BOOTABLE_ARCHES[target] });
}

function checkRequiredFiles(bootImage: PackageManifest, platform: BootPlatform): void {
  // Windows boot files are found case-insensitively by firmware, FAT and bootmgr alike.
  const fold = (path: string) => (platform.caseInsensitivePaths ? path.toLowerCase() : path);
  const present = new Set(bootImage.files.map((f) => fold(f.path)));
  const absent = platform.requiredFiles.filter((path) => !present.has(fold(path)));
  if (absent.length) throw fail('bootFilesMissing', { platform: platform.name, id: bootImage.id, absent, hint: platform.incompleteHint });
}

/** R2: each required entry is a driver class the image covers, or a module it carries. */
export function missingDrivers(required: readonly string[], info: BootImageInfo): string[] {
  const modules = new Set(Object.values(info.drivers).flat().map(normalizeModule));
  return required.filter((name) => !(info.drivers[name]?.length || modules.has(normalizeModule(name))));
}

function normalizeModule(name: string): string {
  return name.replace(/-/g, '_').replace(/\.ko(\.\w+)?$/, '');
}

function reportMissingDrivers(ctx: BuildContext, bootImage: PackageManifest, missing: string[]): void {
  const carried = Object.entries(bootImage.bootImage?.drivers ?? {})
    .map(([cls, mods]) => `${cls} (${mods.length})`)
    .join(', ');
  const error = fail('driversMissing', { id: bootImage.id, missing, carried: carried || 'none declared' });
  if (!ctx.options.allowMissingDrivers) throw error;
  ctx.services.notices.push(`warning: ${error.message}`);
}

/** Disks that hold these must never be a write target. */
function protectedPaths(ctx: BuildContext): string[] {
  return [ctx.config.baseDir, ctx.config.cacheDir, ...ctx.jobs.map((job) => job.stagingDir)];
}

/** An output of the wrong kind (a folder where a file goes, or the reverse) would only fail at the final rename, after all the work. */
async function checkOutputPath(media: MediaJob['media'], type: MediaType): Promise<void> {
  if (media.output.startsWith('/dev/')) return;
  const info = await stat(media.output).catch(() => undefined);
  const key = `media.${type.output.key}`;
  if (info?.isDirectory() && type.output.kind === 'file')
    throw fail('outputIsFolder', {
      key,
      media: media.name,
      output: media.output,
      example: `${media.output.replace(/\/$/, '')}/${type.output.example}`,
    });
  if (info && !info.isDirectory() && type.output.kind === 'folder')
    throw fail('outputIsFile', { key, media: media.name, output: media.output, example: join(dirname(media.output), type.output.example) });
  if (info && type.output.kind === 'folder') {
    // A type without a marker proves the folder its own by the build manifest capmedia wrote beside it.
    const recorded = !type.output.marker && (await stat(`${media.output}.manifest.json`).catch(() => undefined)) !== undefined;
    if (!recorded)
      await checkReplaceableFolder({
        path: media.output,
        marker: type.output.marker,
        key: `${key} of media ${JSON.stringify(media.name)}`,
      });
  }
}
