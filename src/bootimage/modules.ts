import { copyFile, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CapmediaError, fail } from '../errors/index.js';
import { requireSignedModules } from './signed.js';
import type { BuildContext } from './types.js';

/**
 * Kernel modules for the initramfs: the dependency closure (including
 * softdeps such as crc32c for ext4) as the host's kmod resolves it, copied
 * uncompressed, with a fresh depmod index.
 */

/** Decompressors for compressed modules (Debian 12 ships plain .ko; newer kernels .ko.xz/.ko.zst). */
const DECOMPRESSORS: Record<string, string> = { '.xz': 'xz', '.zst': 'zstd', '.gz': 'gzip' };

/** Files depmod reads besides the modules: which modules are built in, and their order. */
const BUILTIN_INDEXES = ['modules.builtin', 'modules.builtin.modinfo'];

/** Debian 12 packages modules under /lib; merged-/usr kernels under /usr/lib. depmod -b wants /lib. */
export async function modulesRootOf(kernelRoot: string, kernelVersion: string): Promise<string> {
  const legacy = join(kernelRoot, 'lib/modules', kernelVersion);
  if (await stat(legacy).catch(() => undefined)) return legacy;
  const merged = join(kernelRoot, 'usr/lib/modules', kernelVersion);
  if (!(await stat(merged).catch(() => undefined))) {
    throw fail('kernelModulesMissing', { kernelVersion });
  }
  await symlink('usr/lib', join(kernelRoot, 'lib')).catch(() => undefined);
  return join(kernelRoot, 'lib/modules', kernelVersion);
}

/**
 * Module files (relative to the modules folder) in a working load order:
 * every module's dependencies come before it, each file once.
 */
export async function resolveModuleClosure(
  ctx: BuildContext,
  kernelRoot: string,
  kernelVersion: string,
  names: readonly string[],
): Promise<string[]> {
  const modulesDir = await modulesRootOf(kernelRoot, kernelVersion);
  // The package ships no modules.dep; modprobe needs one to follow dependencies.
  await ctx.exec('depmod', ['-b', kernelRoot, kernelVersion], { cancelSignal: ctx.signal });
  let stdout: string;
  try {
    ({ stdout } = await ctx.exec('modprobe', ['-d', kernelRoot, '-S', kernelVersion, '--show-depends', '-a', ...names], {
      cancelSignal: ctx.signal,
    }));
  } catch (error) {
    throw fail(
      'kernelDriverMissing',
      { kernelVersion },
      { detail: error instanceof CapmediaError ? `${error.message}\n${error.detail ?? ''}` : String(error), cause: error },
    );
  }
  return parseShowDepends(stdout, modulesDir);
}

/** `insmod /abs/path.ko [args]` lines become relative paths; `builtin x` lines need nothing. */
export function parseShowDepends(output: string, modulesDir: string): string[] {
  const files: string[] = [];
  for (const line of output.split('\n')) {
    const match = line.match(/^insmod (\S+)/);
    if (!match) continue;
    const file = relative(modulesDir, match[1]);
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

/** `kernel/fs/isofs/isofs.ko.xz` → `kernel/fs/isofs/isofs.ko`. */
export function uncompressedName(file: string): string {
  return file.replace(/\.ko\.(xz|zst|gz)$/, '.ko');
}

/**
 * Copies the modules into <root>/lib/modules/<kver>, decompressing them so
 * busybox insmod never has to, writes the load order for /init and runs
 * depmod on the copy. Returns the load order (uncompressed relative paths).
 */
export async function installModules(ctx: BuildContext, modules: KernelModules, initramfsRoot: string): Promise<string[]> {
  const { sourceDir, targetDir, loadOrder } = await copyModules(ctx, modules, initramfsRoot);
  for (const index of BUILTIN_INDEXES) await copyFile(join(sourceDir, index), join(targetDir, index)).catch(() => undefined);
  await writeModulesOrder(sourceDir, targetDir, modules.files);
  await ctx.exec('depmod', ['-b', initramfsRoot, modules.kernelVersion], { cancelSignal: ctx.signal });
  await mkdir(join(initramfsRoot, 'etc/capmedia'), { recursive: true });
  await writeFile(join(initramfsRoot, 'etc/capmedia/modules'), loadOrder.map((file) => `${file}\n`).join(''));
  return loadOrder;
}

/** Which modules of which unpacked kernel package. */
export interface KernelModules {
  kernelRoot: string;
  kernelVersion: string;
  /** Relative to lib/modules/<kver>, as modules.dep names them. */
  files: readonly string[];
}

/** Copies module files (uncompressed) under <root>/lib/modules/<kver>; returns their relative paths in load order. */
export async function copyModules(
  ctx: BuildContext,
  { kernelRoot, kernelVersion, files }: KernelModules,
  root: string,
): Promise<{ sourceDir: string; targetDir: string; loadOrder: string[] }> {
  const sourceDir = await modulesRootOf(kernelRoot, kernelVersion);
  const targetDir = join(root, 'lib/modules', kernelVersion);
  for (const file of files) await copyModule(ctx, join(sourceDir, file), join(targetDir, uncompressedName(file)));
  if (ctx.secureBoot) await requireSignedModules(targetDir, files.map(uncompressedName));
  return { sourceDir, targetDir, loadOrder: files.map(uncompressedName) };
}

async function copyModule(ctx: BuildContext, source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tool = DECOMPRESSORS[source.slice(source.lastIndexOf('.'))];
  if (!tool) return copyFile(source, target);
  await ctx.exec(tool, ['-dc', source], { stdoutFile: target, cancelSignal: ctx.signal });
}

/**
 * depmod lists modules missing from modules.order in directory-scan order,
 * which differs between file systems; a complete order keeps modules.dep
 * byte-identical across builds.
 */
async function writeModulesOrder(sourceDir: string, targetDir: string, files: readonly string[]): Promise<void> {
  const original = await readFile(join(sourceDir, 'modules.order'), 'utf8').catch(() => '');
  const wanted = new Set(files.map(uncompressedName));
  const ordered = original
    .split('\n')
    .map(uncompressedName)
    .filter((file) => wanted.delete(file));
  const rest = [...wanted].sort();
  await writeFile(join(targetDir, 'modules.order'), [...ordered, ...rest].map((file) => `${file}\n`).join(''));
}
