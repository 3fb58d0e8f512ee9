import { stat } from 'node:fs/promises';
import type { Exec } from './exec.js';

export interface FatFile {
  source: string;
  /** Path inside the FAT volume, "/" separated, e.g. "EFI/BOOT/BOOTX64.EFI". */
  target: string;
}

export interface EspImageOptions {
  output: string;
  label: string;
  files: FatFile[];
  exec: Exec;
  env: Record<string, string>;
}

/**
 * A small FAT image holding the UEFI loader, built rootless with mkfs.fat +
 * mtools. `--invariant` and SOURCE_DATE_EPOCH (read by mtools) keep it
 * byte-identical between builds.
 */
export async function writeEspImage(options: EspImageOptions): Promise<void> {
  const payload = (await Promise.all(options.files.map((f) => stat(f.source)))).reduce((sum, s) => sum + s.size, 0);
  // FAT overhead plus slack: archiso uses payload + 8 MiB; a loader-only ESP needs less.
  const kib = Math.ceil((payload / 1024 + 2048) / 1024) * 1024;
  const { exec, env, output } = options;
  await exec('mkfs.fat', ['--invariant', '-C', '-n', options.label, output, String(kib)], { env });
  const folders = new Set<string>();
  for (const file of options.files) {
    const parts = file.target.split('/').slice(0, -1);
    parts.forEach((_, i) => folders.add(parts.slice(0, i + 1).join('/')));
  }
  const sortedFolders = [...folders].sort();
  if (sortedFolders.length) await exec('mmd', ['-i', output, ...sortedFolders.map((f) => `::/${f}`)], { env });
  for (const file of options.files) {
    await exec('mcopy', ['-i', output, '-m', file.source, `::/${file.target}`], { env });
  }
}
