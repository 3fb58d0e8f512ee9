import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { CapmediaError } from '../errors.js';
import { formatBytes } from '../config/size.js';
import { resolveDpUrl } from '../config/normalize.js';
import { publishFolder } from '../library/publish.js';
import { openDistributionPoint } from '../plugins/registry.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export interface DistributeArgs extends CommonArgs {
  source: string;
  package?: string;
  to: string;
  name?: string;
  packageVersion?: string;
  kind?: 'bootimage' | 'content';
}

export async function distributeCommand(args: DistributeArgs, printer: Printer): Promise<void> {
  const source = resolve(args.cwd, args.source);
  const info = await stat(source).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CapmediaError('USAGE', `${source} is not a folder.`, { hint: 'Pass the folder holding the package files (tarballs come in a later version).' });
  }
  const url = resolveDpUrl(args.cwd, args.to);
  const dp = openDistributionPoint({ name: 'target', url });
  const result = await publishFolder(source, { id: args.package, name: args.name, version: args.packageVersion, kind: args.kind }, dp);
  printer.result(
    { id: result.manifest.id, files: result.manifest.files.length, uploaded: result.uploaded, reused: result.reused, bytes: result.bytes, to: dp.displayUrl },
    () => `published ${result.manifest.id} (${result.manifest.files.length} files, ${formatBytes(result.bytes)}) to ${dp.displayUrl}: ${result.uploaded} new, ${result.reused} already stored`,
  );
}
