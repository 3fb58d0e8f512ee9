import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkReplaceableFolder } from '../fs/output-folder.js';
import { CapmediaError } from '../errors/index.js';
import type { Arch } from '../config/schema.js';
import type { BootImageInfo, PackageManifest } from '../library/manifest.js';
import type { BootPlatform } from '../plugins/boot/types.js';
import type { MediaType } from '../plugins/media/types.js';
import { taskSequenceWarnings } from '../tasksequence/build.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { BuildContext, ResolvedContent } from './context.js';
import { readLatest, type VersionedManifest } from '../library/versions.js';
import { readPinnedFromAnyDp } from '../lock/pinned.js';
import { lockOf } from '../lock/entries.js';

/** R1: which boot image architectures each target can start. */
const BOOTABLE_ARCHES: Record<Arch, readonly Arch[]> = {
  x64: ['x64', 'x86'],
  x86: ['x86'],
  arm64: ['arm64'],
};

export async function resolveContent(ctx: BuildContext): Promise<ResolvedContent> {
  const { config } = ctx;
  const found = new Map<string, VersionedManifest>();
  const bootImage = await readPackage(ctx, preferredOrder(ctx), config.bootImage.package, found);
  if (bootImage.kind !== 'bootimage' || !bootImage.bootImage) {
    throw new CapmediaError('BOOT_IMAGE_INVALID', `Package ${bootImage.id} is a ${bootImage.kind} package, not a boot image.`, {
      hint: 'Set bootImage.package to a package published from a boot image folder (capmedia bootimage create).',
    });
  }
  checkArchitecture(config.target.arch, bootImage.id, bootImage.bootImage.arch);
  const registered = config.registry.bootPlatform(bootImage.bootImage.platform);
  const platform = registered.forArch?.(bootImage.bootImage.arch) ?? registered;
  checkRequiredFiles(bootImage, platform);
  const missing = missingDrivers(config.target.drivers, bootImage.bootImage);
  if (missing.length) reportMissingDrivers(ctx, bootImage, missing);
  const content = [];
  for (const id of config.content) content.push(await readPackage(ctx, ctx.dps, id, found));
  for (const job of ctx.jobs) {
    const type = config.registry.mediaType(job.media.type);
    await checkOutputPath(job.media, type);
    await type.checkTarget?.({
      media: job.media,
      exec: ctx.exec,
      confirm: ctx.confirm,
      protectedPaths: protectedPaths(ctx),
    });
  }
  ctx.notices.push(...taskSequenceWarnings(ctx.config).map((warning) => `warning: ${warning}`));
  return { bootImage, platform, content, lock: lockOf(found), pinned: new Set([...found.keys()].filter((id) => ctx.lock?.packages[id])) };
}

/** The version capmedia.lock pins when it has the package, else the latest a distribution point offers. */
async function readPackage(
  ctx: BuildContext,
  dps: DistributionPoint[],
  id: string,
  found: Map<string, VersionedManifest>,
): Promise<PackageManifest> {
  const pin = ctx.lock?.packages[id];
  const versioned = pin ? await readPinnedFromAnyDp(dps, id, pin) : await readFromFirstDp(dps, id);
  found.set(id, versioned);
  return versioned.manifest;
}

/** bootImage.distributionPoint first (R14), then config order. */
export function preferredOrder(ctx: BuildContext): DistributionPoint[] {
  const wanted = ctx.config.bootImage.distributionPoint;
  return [...ctx.dps].sort((a, b) => Number(b.name === wanted) - Number(a.name === wanted));
}

/** The latest manifest of a package from the first distribution point that has it (an unlocked build's choice). */
export async function readFromFirstDp(dps: DistributionPoint[], id: string): Promise<VersionedManifest & { dp: DistributionPoint }> {
  const failures: string[] = [];
  const codes: CapmediaError['code'][] = [];
  for (const dp of dps) {
    try {
      return { ...(await readLatest(dp, id)), dp };
    } catch (error) {
      if (!(error instanceof CapmediaError)) throw error;
      failures.push(`  ${dp.name}: ${error.message}`);
      codes.push(error.code);
    }
  }
  const missingEverywhere = codes.every((code) => code === 'PACKAGE_NOT_FOUND');
  throw new CapmediaError(
    missingEverywhere ? 'PACKAGE_NOT_FOUND' : (codes[0] ?? 'PACKAGE_NOT_FOUND'),
    `Package ${id} could not be read from any distribution point:\n${failures.join('\n')}`,
    {
      hint: missingEverywhere
        ? 'Check the package ID, or publish it with `capmedia distribute <folder> --package ' + id + ' --to <dp>`.'
        : 'Fix what each distribution point reported above (address, credentials, Read permission), then build again.',
    },
  );
}

export function checkArchitecture(target: Arch, packageId: string, bootArch: Arch): void {
  if (BOOTABLE_ARCHES[target].includes(bootArch)) return;
  throw new CapmediaError(
    'ARCH_MISMATCH',
    `The boot image ${packageId} is ${bootArch}, but the target computer is ${target}: a ${target} computer cannot start a ${bootArch} boot image.`,
    {
      hint: `Use a boot image whose architecture is ${BOOTABLE_ARCHES[target].join(' or ')} (target.arch: '${target}'), or fix target.arch.`,
    },
  );
}

function checkRequiredFiles(bootImage: PackageManifest, platform: BootPlatform): void {
  // Windows boot files are found case-insensitively by firmware, FAT and bootmgr alike.
  const fold = (path: string) => (platform.caseInsensitivePaths ? path.toLowerCase() : path);
  const present = new Set(bootImage.files.map((f) => fold(f.path)));
  const absent = platform.requiredFiles.filter((path) => !present.has(fold(path)));
  if (absent.length) {
    throw new CapmediaError(
      'BOOT_IMAGE_INVALID',
      `The ${platform.name} boot image ${bootImage.id} lacks files its platform needs to boot: ${absent.join(', ')}.`,
      { hint: platform.incompleteHint },
    );
  }
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
  const message = `The boot image ${bootImage.id} lacks drivers the target needs (target.drivers): ${missing.join(', ')}. It carries: ${carried || 'none declared'}.`;
  if (ctx.options.allowMissingDrivers) {
    ctx.notices.push(`warning: ${message}`);
    return;
  }
  throw new CapmediaError('DRIVERS_MISSING', message, {
    hint: 'Add the drivers to the boot image, remove them from target.drivers, or pass --allow-missing-drivers to build anyway.',
  });
}

/** Disks that hold these must never be a write target. */
function protectedPaths(ctx: BuildContext): string[] {
  return [ctx.config.baseDir, ctx.config.cacheDir, ...ctx.jobs.map((job) => job.stagingDir)];
}

/** An output of the wrong kind (a folder where a file goes, or the reverse) would only fail at the final rename, after all the work. */
async function checkOutputPath(media: BuildContext['jobs'][number]['media'], type: MediaType): Promise<void> {
  if (media.output.startsWith('/dev/')) return;
  const info = await stat(media.output).catch(() => undefined);
  const key = `media.${type.output.key}`;
  if (info?.isDirectory() && type.output.kind === 'file') {
    throw new CapmediaError('USAGE', `${key} of media ${JSON.stringify(media.name)} is ${media.output}, which is a folder.`, {
      hint: `Point ${key} at a file inside it, e.g. ${media.output.replace(/\/$/, '')}/${type.output.example}.`,
    });
  }
  if (info && !info.isDirectory() && type.output.kind === 'folder') {
    throw new CapmediaError('USAGE', `${key} of media ${JSON.stringify(media.name)} is ${media.output}, which is a file, not a folder.`, {
      hint: `Point ${key} at a folder (it is created, and replaced as a whole on each build), e.g. ${join(dirname(media.output), type.output.example)}.`,
    });
  }
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
