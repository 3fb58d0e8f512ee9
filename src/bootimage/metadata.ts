import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_IMAGE_FILES } from './layout.js';
import type { BootImageArch, BootImagePackageMetadata, DriverSet, UefiChainMetadata } from './types.js';

export interface MetadataInputs {
  arch: BootImageArch;
  /** Debian version of the kernel package. */
  kernelPackageVersion: string;
  kernelVersion: string;
  drivers: DriverSet;
  uefi: UefiChainMetadata;
}

export function bootImageMetadata(inputs: MetadataInputs): BootImagePackageMetadata {
  return {
    name: `capmedia linux boot image (${inputs.arch})`,
    version: inputs.kernelPackageVersion,
    kind: 'bootimage',
    bootImage: {
      platform: 'linux',
      arch: inputs.arch,
      kernelVersion: inputs.kernelVersion,
      drivers: inputs.drivers,
      uefi: inputs.uefi,
    },
  };
}

/** Written last by the builder: its presence marks a complete boot image folder. */
export async function writeMetadata(outDir: string, metadata: BootImagePackageMetadata): Promise<void> {
  await writeFile(join(outDir, BOOT_IMAGE_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`);
}
