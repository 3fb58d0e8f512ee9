import { resolve } from 'node:path';
import { CapmediaError } from '../errors.js';
import { formatBytes } from '../config/size.js';
import { openImageSource } from '../image/source.js';
import { verifyImage } from '../image/verify.js';
import { restoreImage } from '../image/restore.js';
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
    throw new CapmediaError(
      'IMAGE_INVALID',
      `${report.location} does not match its manifest: ${bad.map((part) => `${part.file} ${part.problem}`).join('; ')}.`,
      {
        hint: 'The image is damaged or was changed after the capture; capture it again.',
      },
    );
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
    () => `restored ${source.location} to ${result.target} (${formatBytes(result.bytes)}, ${result.parts} parts verified)`,
  );
}
