import { resolve } from 'node:path';
import { createBootImage, type BootImagePackageMetadata } from '../bootimage/index.js';
import { defaultCacheDir } from '../config/normalize.js';
import { parseSourceDateEpoch } from '../epoch.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export interface BootImageArgs extends CommonArgs {
  arch: string;
  out: string;
  cacheDir?: string;
  kernelPackage?: string;
  secureBoot?: boolean;
}

export async function bootImageCreateCommand(args: BootImageArgs, printer: Printer, signal: AbortSignal): Promise<void> {
  const outDir = resolve(args.cwd, args.out);
  const result = await createBootImage({
    arch: args.arch as 'x64',
    outDir,
    cacheDir: args.cacheDir ? resolve(args.cwd, args.cacheDir) : defaultCacheDir(),
    kernelPackage: args.kernelPackage,
    secureBoot: args.secureBoot ?? true,
    sourceDateEpoch: parseSourceDateEpoch(process.env.SOURCE_DATE_EPOCH),
    signal,
    onProgress: (message) => printer.verbose && printer.line(message),
  });
  printer.result(
    result,
    () =>
      `boot image written to ${result.outDir} (${result.metadata.bootImage.platform} ${result.metadata.bootImage.arch}, kernel ${result.metadata.bootImage.kernelVersion ?? '?'}, ${uefiChainText(result.metadata.bootImage.uefi)})\npublish it with: capmedia distribute ${args.out} --package <ID> --to file:./content`,
  );
}

function uefiChainText(uefi: BootImagePackageMetadata['bootImage']['uefi']): string {
  const packages = Object.entries(uefi.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return uefi.secureBoot ? `UEFI Secure Boot chain: ${packages}` : `UEFI without Secure Boot: standalone GRUB from ${packages}`;
}
