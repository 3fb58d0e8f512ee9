import { stat } from 'node:fs/promises';
import { CapmediaError } from '../errors.js';
import type { Arch } from '../config/schema.js';
import type { BootImageInfo, PackageManifest } from '../library/manifest.js';
import { bootPlatform, mediaType } from '../plugins/registry.js';
import type { BootPlatform } from '../plugins/boot/types.js';
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
  const registered = bootPlatform(bootImage.bootImage.platform);
  const platform = registered.forArch?.(bootImage.bootImage.arch) ?? registered;
  checkRequiredFiles(bootImage, platform);
  const missing = missingDrivers(config.target.drivers, bootImage.bootImage);
  if (missing.length) reportMissingDrivers(ctx, bootImage, missing);
  const content = [];
  for (const id of config.content) content.push(await readPackage(ctx, ctx.dps, id, found));
  for (const job of ctx.jobs) {
    await checkOutputPath(job.media);
    await mediaType(job.media.type).checkTarget?.({
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
      {
        hint:
          platform.name === 'linux'
            ? 'Rebuild it with `capmedia bootimage create` and publish it again.'
            : 'Publish the complete boot image folder (the Windows ADK media files and sources/boot.wim) again.',
      },
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

/** An output path that is a folder would only fail at the final rename, after all the work. */
async function checkOutputPath(media: BuildContext['jobs'][number]['media']): Promise<void> {
  if (media.output.startsWith('/dev/')) return;
  const info = await stat(media.output).catch(() => undefined);
  if (info?.isDirectory()) {
    const key = media.type === 'iso' ? 'media.file' : 'media.device';
    throw new CapmediaError('USAGE', `${key} of media ${JSON.stringify(media.name)} is ${media.output}, which is a folder.`, {
      hint: `Point ${key} at a file inside it, e.g. ${media.output.replace(/\/$/, '')}/capture.${media.type === 'iso' ? 'iso' : 'img'}.`,
    });
  }
}
