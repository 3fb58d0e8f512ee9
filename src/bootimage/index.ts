import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CapmediaError, fail } from '../errors/index.js';
import { exec as realExec } from '../tools/exec.js';
import { buildAgentArchive, fetchAgentPackages } from './agent.js';
import { describePackages, ensureAptLists, fetchDeb, resolveKernelPackage, unpackDeb } from './debs.js';
import { AGENT_MODULES, FIRMWARE_MODULES, X64_DRIVERS, allDriverModules, declaredDrivers } from './drivers.js';
import { GRUB_PACKAGE, ensureEfiLoader, renderGrubCfg } from './grub.js';
import { requireSignedKernel, writeSignedLoaders } from './signed.js';
import { buildInitramfs } from './initramfs.js';
import { copyKernel, detectKernelVersion } from './kernel.js';
import { BOOT_IMAGE_FILES } from './layout.js';
import { bootImageMetadata, writeMetadata } from './metadata.js';
import { normalizeMtimes, replaceDirectory } from './output.js';
import { writeBiosBootFiles } from './syslinux.js';
import {
  SUPPORTED_ARCHES,
  type BootImagePackageMetadata,
  type BootImageResult,
  type BuildContext,
  type CreateBootImageOptions,
  type UefiChainMetadata,
} from './types.js';

export {
  SUPPORTED_ARCHES,
  type BootImageArch,
  type BootImagePackageMetadata,
  type BootImageResult,
  type CreateBootImageOptions,
  type DriverClass,
  type DriverSet,
} from './types.js';
export { BOOT_IMAGE_FILES, BOOT_MARKERS, KERNEL_CMDLINE, TASK_SEQUENCE_JSON, TASK_SEQUENCE_VARS } from './layout.js';
export { AGENT_MODULES, X64_DRIVERS } from './drivers.js';

/**
 * Builds the linux boot image folder (kernel, initramfs, GRUB EFI and
 * ISOLINUX/SYSLINUX boot files, capmedia-package.json) from Debian packages,
 * without installing anything on the build machine.
 */
export async function createBootImage(options: CreateBootImageOptions): Promise<BootImageResult> {
  checkArch(options.arch);
  const outDir = resolve(options.outDir);
  const sourceDateEpoch = checkEpoch(options.sourceDateEpoch);
  const workDir = await mkdtemp(join(tmpdir(), 'capmedia-bootimage-'));
  const ctx: BuildContext = {
    exec: options.exec ?? realExec,
    progress: options.onProgress ?? (() => undefined),
    signal: options.signal,
    cacheDir: resolve(options.cacheDir),
    workDir,
    sourceDateEpoch,
    secureBoot: options.secureBoot ?? true,
  };
  try {
    await mkdir(dirname(outDir), { recursive: true });
    return await replaceDirectory(outDir, BOOT_IMAGE_FILES.metadata, async (stageDir) => ({
      outDir,
      metadata: await buildInto(ctx, options, stageDir),
    }));
  } catch (error) {
    throw wrapFailure(error, outDir, options.signal);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function buildInto(ctx: BuildContext, options: CreateBootImageOptions, stageDir: string): Promise<BootImagePackageMetadata> {
  await ensureAptLists(ctx);
  const kernelPackage = options.kernelPackage ?? (await resolveKernelPackage(ctx));
  const [kernelPkg, busyboxPkg] = await describePackages(ctx, [kernelPackage, 'busybox-static']);
  const kernelDeb = await fetchDeb(ctx, kernelPkg);
  const busyboxDeb = await fetchDeb(ctx, busyboxPkg);
  ctx.signal?.throwIfAborted();

  ctx.progress(`unpacking ${kernelPackage} and busybox-static`);
  const kernelRoot = join(ctx.workDir, 'kernel');
  const busyboxRoot = join(ctx.workDir, 'busybox');
  await unpackDeb(ctx, kernelDeb, kernelRoot);
  await unpackDeb(ctx, busyboxDeb, busyboxRoot);
  const kernelVersion = await detectKernelVersion(kernelRoot, kernelPackage);
  const agentSysroot = await fetchAgentPackages(ctx);

  await mkdir(join(stageDir, 'boot/grub'), { recursive: true });
  await copyKernel(kernelRoot, kernelVersion, join(stageDir, BOOT_IMAGE_FILES.kernel));
  if (ctx.secureBoot) await requireSignedKernel(join(stageDir, BOOT_IMAGE_FILES.kernel), kernelPackage);
  const modules = [...allDriverModules(X64_DRIVERS), ...FIRMWARE_MODULES];
  const initramfsModules = await buildInitramfs(
    ctx,
    { kernelRoot, kernelVersion, busyboxRoot, modules },
    join(stageDir, BOOT_IMAGE_FILES.initrd),
  );
  const agentInputs = { sysroot: agentSysroot, kernelRoot, kernelVersion, modules: AGENT_MODULES, initramfsModules };
  await buildAgentArchive(ctx, agentInputs, join(stageDir, BOOT_IMAGE_FILES.agentTools));
  const uefi = await writeBootLoaders(ctx, stageDir);
  if (ctx.secureBoot) uefi.packages[kernelPackage] = kernelDeb.version;

  const metadata = bootImageMetadata({
    arch: options.arch,
    kernelPackageVersion: kernelDeb.version,
    kernelVersion,
    drivers: declaredDrivers(X64_DRIVERS),
    uefi,
  });
  await writeMetadata(stageDir, metadata);
  await normalizeMtimes(stageDir, ctx.sourceDateEpoch);
  ctx.progress(`boot image ready: kernel ${kernelVersion}`);
  return metadata;
}

async function writeBootLoaders(ctx: BuildContext, stageDir: string): Promise<UefiChainMetadata> {
  const grubCfg = await renderGrubCfg();
  await writeFile(join(stageDir, BOOT_IMAGE_FILES.grubCfg), grubCfg);
  await writeBiosBootFiles(ctx, stageDir);
  if (ctx.secureBoot) return { secureBoot: true, packages: await writeSignedLoaders(ctx, stageDir, grubCfg) };
  const efiLoader = await ensureEfiLoader(ctx, grubCfg);
  await mkdir(join(stageDir, dirname(BOOT_IMAGE_FILES.efiLoader)), { recursive: true });
  await copyFile(efiLoader.path, join(stageDir, BOOT_IMAGE_FILES.efiLoader));
  return { secureBoot: false, packages: { [GRUB_PACKAGE]: efiLoader.grubVersion } };
}

function checkArch(arch: string): void {
  if ((SUPPORTED_ARCHES as readonly string[]).includes(arch)) return;
  throw fail('bootImageArchUnsupported', { arch, supported: SUPPORTED_ARCHES.join(', ') });
}

/** cpio stores mtimes as 32-bit unsigned numbers. The library never reads the environment: the CLI passes $SOURCE_DATE_EPOCH. */
function checkEpoch(epoch = 0): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw fail('sourceDateEpochInvalid', { epoch });
  return epoch;
}

/** Errors that are already sentences pass through; anything else says what was being built. */
function wrapFailure(error: unknown, outDir: string, signal?: AbortSignal): unknown {
  if (signal?.aborted && !(error instanceof CapmediaError && error.code === 'CANCELLED')) {
    return fail('bootImageCancelled', { outDir }, { cause: error });
  }
  if (error instanceof CapmediaError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return fail('bootImageFailed', { outDir, reason }, { cause: error });
}
