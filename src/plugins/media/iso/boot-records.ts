import { fail } from '../../../errors/index.js';
import type { Exec } from '../../../tools/exec.js';
import type { ElToritoEntry, EspImage, IsoBoot, SystemArea } from '../../boot/types.js';
import type { DerivedCache } from '../types.js';
import { espImageFor } from './esp.js';

/** Where each media file's bytes are on disk (media path → blob or generated file). */
export type MediaSources = ReadonlyMap<string, string>;

/** What the ESP image is grafted as when it lives in the ISO tree. */
export type Graft = readonly [target: string, source: string];

export interface BootRecordsInput {
  sources: MediaSources;
  /** The platform whose description this is, for errors. */
  platform: string;
  /** Where the ESP image is written. */
  workDir: string;
  exec: Exec;
  env: Record<string, string>;
  /** The sha256 of a media file whose source is its verified blob (keys the cached ESP without reading it). */
  knownSha256?: (target: string, source: string) => string | undefined;
  derived?: DerivedCache;
}

/** Makes the images a boot description needs (the ESP) and returns xorriso's boot arguments plus grafts for the tree. */
export async function prepareBootRecords(boot: IsoBoot, input: BootRecordsInput): Promise<{ args: string[]; grafts: Graft[] }> {
  const source = sourceLookup(input.sources, input.platform);
  for (const entry of boot.entries) if (typeof entry.image === 'string') source(entry.image);
  const knownSha256 = input.knownSha256 ?? (() => undefined);
  const espImage = boot.esp && (await espImageFor(boot.esp, { ...input, source, knownSha256 }));
  const inTree = boot.esp && espImage && 'inTree' in boot.esp.placement ? [[boot.esp.placement.inTree.path, espImage] as const] : [];
  return { args: isoBootArguments(boot, source, espImage), grafts: inTree };
}

/**
 * xorriso (mkisofs emulation) arguments for a boot description: the default
 * entry, the catalog, the system area, an appended ESP, then each further
 * entry after -eltorito-alt-boot. Boot images are ISO paths; the hybrid MBR is
 * read from disk (`sourceOf`); `espImage` is the ESP file prepareBootRecords made.
 */
export function isoBootArguments(boot: IsoBoot, sourceOf: (target: string) => string, espImage?: string): string[] {
  const [first, ...others] = boot.entries;
  return [
    ...(first ? entryArguments(first, boot.esp) : []),
    '-eltorito-catalog',
    boot.catalog.path,
    ...(boot.catalog.hidden ? ['--boot-catalog-hide'] : []),
    ...(boot.systemArea ? systemAreaArguments(boot.systemArea, sourceOf) : []),
    ...(boot.esp && espImage ? appendedEspArguments(boot.esp, espImage) : []),
    ...others.flatMap((entry) => ['-eltorito-alt-boot', ...entryArguments(entry, boot.esp)]),
  ];
}

function entryArguments(entry: ElToritoEntry, esp: EspImage | undefined): string[] {
  if (entry.platform === 'bios') {
    const infoTable = entry.bootInfoTable ? ['-boot-info-table'] : [];
    return ['-eltorito-boot', entry.image, '-no-emul-boot', '-boot-load-size', String(entry.loadSectors), ...infoTable];
  }
  return ['-e', typeof entry.image === 'string' ? entry.image : espLocation(esp), '-no-emul-boot'];
}

/** The El Torito image of the ESP: the appended partition's blocks, or its file in the tree. */
function espLocation(esp: EspImage | undefined): string {
  if (!esp) throw fail('unexpected', { reason: 'a UEFI El Torito entry names the ESP, but the boot description has none' });
  return 'appended' in esp.placement
    ? `--interval:appended_partition_${esp.placement.appended.partition}:all::`
    : esp.placement.inTree.path;
}

function systemAreaArguments(area: SystemArea, sourceOf: (target: string) => string): string[] {
  return [
    '-isohybrid-mbr',
    sourceOf(area.hybridMbr),
    ...(area.partitionOffset === undefined ? [] : ['-partition_offset', String(area.partitionOffset)]),
    ...(area.gptEsp ? ['-isohybrid-gpt-basdat'] : []),
  ];
}

function appendedEspArguments(esp: EspImage, espImage: string): string[] {
  if (!('appended' in esp.placement)) return [];
  return ['-append_partition', String(esp.placement.appended.partition), '0xef', espImage];
}

function sourceLookup(sources: MediaSources, platform: string): (target: string) => string {
  return (target) => {
    const source = sources.get(target);
    if (source === undefined) throw fail('bootFileNotOnMedia', { platform, path: target });
    return source;
  };
}
