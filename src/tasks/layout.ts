import type { NormalizedConfig } from '../config/normalize.js';
import type { PackageManifest } from '../library/manifest.js';
import { safeRelativePath } from '../library/safe-path.js';
import type { MediaJob } from './context.js';

/**
 * The media's file list, shared by every step that reads it: where each file
 * goes and which blob of the content store holds it.
 */
export interface LayoutEntry {
  target: string;
  sha256: string;
  size: number;
  /** The package it comes from ('' for files capmedia generates). */
  packageId: string;
}

/** Boot image files go to the media root; other packages to SMS/PKG/<id>/, as Configuration Manager media carry them. */
export function placements(packages: { bootImage: PackageManifest; content: readonly PackageManifest[] }): LayoutEntry[] {
  const place = (pkg: PackageManifest, prefix: string) => {
    const where = `package ${pkg.id}`;
    return pkg.files.map((file) => ({
      target: safeRelativePath(prefix + file.path, where),
      sha256: file.sha256,
      size: file.size,
      packageId: pkg.id,
    }));
  };
  return [...place(packages.bootImage, ''), ...packages.content.flatMap((pkg) => place(pkg, `SMS/PKG/${pkg.id}/`))];
}

/** What every media type can check before anything is written (FAT32's 4 GiB limit, R7). */
export function checkContentForMedia(config: NormalizedConfig, jobs: readonly MediaJob[], files: readonly LayoutEntry[]): void {
  for (const job of jobs)
    config.registry.mediaType(job.media.type).checkContent?.(
      files.map((f) => ({ path: f.target, size: f.size })),
      job.media,
    );
}

export function layoutBytes(files: readonly LayoutEntry[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

/** Which files a media tree holds and how it is labelled: an unchanged signature means the tree need not be laid out again. */
export function treeSignature(files: readonly LayoutEntry[], label: string, autorun: boolean): string {
  return files.map((f) => `${f.target}\0${f.sha256}`).join('\n') + `\n${label}\n${autorun}`;
}
