import { resolve } from 'node:path';
import { fail } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { openImageSource } from '../image/source.js';
import { verifyImage } from '../image/verify.js';
import { restoreImage } from '../image/restore.js';
import { convertImage } from '../image/convert.js';
import { describeImage } from '../image/info.js';
import { parseByteSize } from '../tasksequence/schema.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

/** `capmedia image verify <image>`: every part against the manifest; exit 1 when anything differs. */
export async function imageVerifyCommand(args: CommonArgs & { image: string; quick?: boolean }, printer: Printer): Promise<void> {
  const source = await openImageSource(args.image, args.cwd);
  const report = await verifyImage(source, {
    quick: args.quick,
    onProgress: printer.verbose ? (message) => printer.line(message) : undefined,
  });
  const { manifest } = report;
  printer.result(report, () =>
    [
      `${report.location}`,
      `  image:   ${manifest.image.name}${manifest.image.version ? ` ${manifest.image.version}` : ''} (captured ${manifest.createdAt} from ${manifest.source.device}, ${formatBytes(manifest.source.bytes)}, ${manifest.capture})`,
      ...report.parts.map((part) => `  ${part.ok ? 'ok     ' : 'FAILED '} ${part.file}${part.problem ? `: ${part.problem}` : ''}`),
      report.ok ? `  verified: ${report.parts.length} parts match the manifest${args.quick ? ' (hashes only)' : ''}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const bad = report.parts.filter((part) => !part.ok);
  if (bad.length) {
    throw fail('imageVerifyFailed', { location: report.location, bad: bad.map((part) => `${part.file} ${part.problem}`).join('; ') });
  }
}

/** `capmedia image restore <image> --to <file>`: a disk image file, rootless. */
export async function imageRestoreCommand(
  args: CommonArgs & { image: string; to: string; force?: boolean },
  printer: Printer,
): Promise<void> {
  const source = await openImageSource(args.image, args.cwd);
  const result = await restoreImage(source, resolve(args.cwd, args.to), {
    force: args.force,
    onProgress: printer.verbose ? (message) => printer.line(message) : undefined,
  });
  printer.result(
    result,
    () =>
      `restored ${source.location} to ${result.target} (${formatBytes(result.bytes)}, ${result.parts} parts verified${result.images ? `, ${result.images} WIM image${result.images === 1 ? '' : 's'} applied` : ''})`,
  );
}

/** `capmedia image convert <image> --to out.wim`: the standard WIM DISM reads, from any capture's WIM parts. */
export async function imageConvertCommand(
  args: CommonArgs & { image: string; to: string; split?: string; force?: boolean },
  printer: Printer,
): Promise<void> {
  const split = args.split === undefined ? undefined : parseByteSize(args.split);
  if (args.split !== undefined && (split === undefined || split < 1048576 || split >= 4 * 1024 ** 3)) {
    throw fail('splitSizeInvalid', { split: args.split });
  }
  const source = await openImageSource(args.image, args.cwd);
  const result = await convertImage(source, resolve(args.cwd, args.to), {
    force: args.force,
    split,
    onProgress: printer.verbose ? (message) => printer.line(message) : undefined,
  });
  printer.result(
    result,
    () => `converted ${source.location}: ${result.images} image${result.images === 1 ? '' : 's'} in ${result.files.join(', ')}`,
  );
}

/** `capmedia image info <image>`: what a capture holds, WIM images first. */
export async function imageInfoCommand(args: CommonArgs & { image: string }, printer: Printer): Promise<void> {
  const source = await openImageSource(args.image, args.cwd);
  const info = await describeImage(source);
  const { manifest } = info;
  printer.result(info, () =>
    [
      source.location,
      `  image:   ${manifest.image.name}${manifest.image.version ? ` ${manifest.image.version}` : ''}${manifest.image.description ? ` — ${manifest.image.description}` : ''}`,
      `  from:    ${manifest.source.device} (${formatBytes(manifest.source.bytes)}, ${manifest.source.partitionTable}${manifest.source.model ? `, ${manifest.source.model}` : ''}${manifest.source.serial ? `, serial ${manifest.source.serial}` : ''}), captured ${manifest.createdAt}`,
      ...info.wims.flatMap((wim) => [
        `  WIM ${wim.files.join(' + ')} (${wim.pipable ? 'pipable: convert it for DISM' : 'standard'}, ${wim.compression}, ${formatBytes(wim.size)})`,
        ...wim.images.map(
          (image) =>
            `    ${image.index}. ${image.name}${image.description ? ` — ${image.description}` : ''} (partition ${image.partition}, ${image.filesystem}${image.windows ? ', Windows' : ''}${image.wimlib['Product Name'] ? `, ${image.wimlib['Product Name']}` : ''}${image.wimlib['Build'] ? ` build ${image.wimlib['Build']}` : ''})`,
        ),
      ]),
      ...info.raw.map(
        (part) =>
          `  ${part.file}: ${part.kind}${part.partition ? ` ${part.partition}` : ''}${part.filesystem ? ` (${part.filesystem})` : ''}, ${formatBytes(part.bytes)} as ${formatBytes(part.size)}`,
      ),
    ].join('\n'),
  );
}
