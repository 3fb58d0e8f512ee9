import { exec as realExec, type Exec } from '../tools/exec.js';
import { rawParts, wimSets, type ImageManifest, type RawPart, type WimImage } from './manifest.js';
import type { ImageSource } from './source.js';
import { readManifest } from './verify.js';
import { wimImageInfo } from './wim.js';

/**
 * What a captured image holds, for `capmedia image info`: the manifest's
 * WIM images and raw parts, plus what wimlib itself says about each image
 * (Windows edition and build) when the WIM is on this machine.
 */

export interface ImageInfo {
  location: string;
  manifest: ImageManifest;
  wims: Array<{
    files: string[];
    pipable: boolean;
    compression: string;
    size: number;
    images: Array<WimImage & { wimlib: Record<string, string> }>;
  }>;
  raw: RawPart[];
}

export async function describeImage(source: ImageSource, exec: Exec = realExec): Promise<ImageInfo> {
  const manifest = await readManifest(source);
  const wims = [];
  for (const set of wimSets(manifest)) {
    const first = source.localPath?.(set.parts[0].file);
    const images = [];
    for (const image of set.images) {
      // Over http the WIM is not downloaded just to describe it: the manifest says enough.
      const wimlib = first ? await wimImageInfo(exec, { first, refs: [] }, image).catch(() => ({})) : {};
      images.push({ ...image, wimlib });
    }
    const size = set.parts.reduce((sum, part) => sum + part.size, 0);
    wims.push({ files: set.parts.map((part) => part.file), pipable: set.pipable, compression: set.compression, size, images });
  }
  return { location: source.location, manifest, wims, raw: rawParts(manifest) };
}
