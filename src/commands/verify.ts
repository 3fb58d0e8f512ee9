import { stat } from 'node:fs/promises';
import { printable, quoted } from '../printable.js';
import { resolve } from 'node:path';
import { declaredImageSize } from '../tools/image-size.js';
import { CapmediaError, fail } from '../errors/index.js';
import { exec } from '../tools/exec.js';
import { loadConfig } from '../config/load.js';
import { builtinRegistry, type PluginRegistry } from '../plugins/registry.js';
import type { MediaReport } from '../plugins/media/types.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';
import { MEDIA_CONTENT_JSON, type MediaContent } from '../lock/media-record.js';
import { uefiChainLines } from '../efi/chain.js';
import { MEDIA_PATHS } from '../media-paths.js';

export type { MediaReport } from '../plugins/media/types.js';

/** Asks each media type in turn whether the file is its kind of media, and what it holds. */
export async function inspectMedia(file: string, registry: PluginRegistry = builtinRegistry): Promise<MediaReport> {
  for (const type of registry.mediaTypes) {
    const report = await type.inspect?.(file, exec);
    if (report) return report;
  }
  throw fail('verifyUnknownFormat', { file });
}

export async function verifyCommand(args: CommonArgs & { output: string }, printer: Printer): Promise<void> {
  const file = resolve(args.cwd, args.output);
  // --config brings the config's plugins: their media types can inspect their own outputs.
  const registry = args.config ? (await loadConfig({ cwd: args.cwd, configFile: args.config })).config.registry : builtinRegistry;
  const info = await stat(file).catch(() => undefined);
  const folderTypes = registry.mediaTypes.some((t) => t.output.kind === 'folder');
  if (!info?.isFile() && !(info?.isDirectory() && folderTypes)) {
    throw fail('verifyTargetMissing', { file, problem: info ? 'is not a file' : 'does not exist' });
  }
  if (info.isFile()) await checkComplete(file, args.output, info.size);
  const report = await inspectMedia(file, registry).catch((error: unknown) => {
    if (!(error instanceof CapmediaError) || error.code !== 'TOOL_FAILED') throw error;
    throw fail('verifyUnreadable', { output: args.output, message: error.message }, { detail: error.detail, cause: error });
  });
  printer.result(report, () =>
    [
      `${report.file}`,
      `  volume id:       ${printable(report.volumeId)}${report.volume ? ` (volume ${report.volume.number} of ${report.volume.of})` : ''}`,
      ...(report.jolietVolumeId === undefined ? [] : [`  Windows shows:   ${quoted(report.jolietVolumeId)} (Joliet volume name)`]),
      `  boot:            BIOS ${report.bootBios ? 'yes' : 'NO'}, UEFI ${report.bootUefi ? 'yes' : 'NO'}, partition table ${report.partitionTable}`,
      `  ${MEDIA_PATHS.mediaLabel}:  ${report.mediaLabel === undefined ? 'missing' : `label=${printable(report.mediaLabel)}`}`,
      `  task sequence:   ${report.taskSequence === undefined ? 'missing' : printable(report.taskSequence)}`,
      ...uefiChainLines(report.uefiChain),
      `  checksum:        ${report.checksum}`,
      `  files:           ${report.files ?? 'no build manifest beside it'}`,
      ...describeContent(report.content),
    ].join('\n'),
  );
  if (report.problems.length) {
    // Problems quote names read off the media: file names, labels, task sequence names.
    throw fail('verifyIncomplete', { file: report.file, problems: report.problems.map(printable).join('; ') });
  }
}

/** What the media say they carry (SMS/data/MediaContent.json): the lock digest and each package's version. */
function describeContent(content: MediaContent | undefined): string[] {
  if (!content) return [`  content:         no ${MEDIA_CONTENT_JSON} (built before capmedia.lock, or a data volume of a set)`];
  return [
    `  lock digest:     ${content.lockDigest}`,
    ...content.packages.map(
      (p) =>
        `  package:         ${printable(p.id)} ${printable(p.version)} (${printable(p.kind)}, manifest ${printable(p.manifestSha256)})`,
    ),
  ];
}

/** A cut-off copy (an interrupted download or dd) is named as such, before any tool reads it. */
async function checkComplete(file: string, shown: string, size: number): Promise<void> {
  const declared = await declaredImageSize(file).catch(() => undefined);
  if (declared !== undefined && size < declared) {
    throw fail('verifyTruncated', { shown, size, declared });
  }
}
