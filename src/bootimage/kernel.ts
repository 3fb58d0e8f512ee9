import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors/index.js';

/**
 * The kernel's release (`uname -r`) read from the unpacked package rather than
 * guessed from its name: linux-image-6.1.0-56-amd64-unsigned, for one, holds
 * release 6.1.0-56-amd64.
 */
export async function detectKernelVersion(kernelRoot: string, kernelPackage: string): Promise<string> {
  const names = await readdir(join(kernelRoot, 'boot')).catch(() => [] as string[]);
  const releases = names.filter((name) => name.startsWith('vmlinuz-')).map((name) => name.slice('vmlinuz-'.length));
  if (releases.length === 1) return releases[0];
  throw fail('kernelCountWrong', { kernelPackage, count: releases.length });
}

export async function copyKernel(kernelRoot: string, kernelVersion: string, target: string): Promise<void> {
  await copyFile(join(kernelRoot, 'boot', `vmlinuz-${kernelVersion}`), target);
}
