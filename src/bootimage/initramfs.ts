import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installAgentScripts } from './agent.js';
import { collectTree, writeCpioGz, type CpioEntry } from './cpio.js';
import { installModules, resolveModuleClosure } from './modules.js';
import { readLinuxTemplate } from './templates.js';
import type { BuildContext } from './types.js';

export interface InitramfsInputs {
  /** dpkg-deb -x of the kernel package. */
  kernelRoot: string;
  kernelVersion: string;
  /** dpkg-deb -x of busybox-static. */
  busyboxRoot: string;
  /** Modules to include (their dependencies are added). */
  modules: readonly string[];
}

/** Mount points /init expects; the kernel mounts nothing itself. */
const EMPTY_DIRS = ['dev', 'proc', 'sys', 'run', 'tmp', 'mnt/media', 'root', 'sbin', 'usr/bin', 'usr/sbin', 'capmedia'];

/**
 * The kernel opens /dev/console for init's stdio before /init can mount
 * devtmpfs, so the node must be in the archive itself.
 */
const DEVICE_NODES: CpioEntry[] = [{ path: 'dev/console', type: 'char-device', mode: 0o600, major: 5, minor: 1 }];

/** Builds the initramfs tree under the work folder and writes it to outFile. */
export async function buildInitramfs(ctx: BuildContext, inputs: InitramfsInputs, outFile: string): Promise<string[]> {
  const root = join(ctx.workDir, 'initramfs');
  for (const dir of EMPTY_DIRS) await mkdir(join(root, dir), { recursive: true });
  await installBusybox(inputs.busyboxRoot, root);
  await writeFile(join(root, 'init'), await readLinuxTemplate('init.sh'), { mode: 0o755 });
  await installAgentScripts(root);

  ctx.progress(`resolving kernel modules for ${inputs.modules.length} drivers`);
  const closure = await resolveModuleClosure(ctx, inputs.kernelRoot, inputs.kernelVersion, inputs.modules);
  const loadOrder = await installModules(ctx, { kernelRoot: inputs.kernelRoot, kernelVersion: inputs.kernelVersion, files: closure }, root);

  ctx.progress(`writing initramfs (${loadOrder.length} modules)`);
  const entries = [...(await collectTree(root)), ...DEVICE_NODES];
  await writeCpioGz(entries, outFile, ctx.sourceDateEpoch);
  return loadOrder;
}

/**
 * Only /bin/sh is linked at build time (the kernel needs it to run /init);
 * /init runs `busybox --install -s` for the other applets, which keeps the
 * build independent of running the target's busybox on the build host.
 */
async function installBusybox(busyboxRoot: string, root: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true });
  await copyFile(join(busyboxRoot, 'bin/busybox'), join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  await symlink('busybox', join(root, 'bin/sh'));
}
