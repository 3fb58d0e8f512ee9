import { resolve } from 'node:path';
import { formatBytes } from '../config/size.js';
import { resolveDpUrl } from '../config/normalize.js';
import type { DistributionPointConfig } from '../config/schema.js';
import { fail } from '../errors/index.js';
import { publishSource } from '../library/publish.js';
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
  user?: string;
  passwordEnv?: string;
  passwordFile?: string;
  tokenEnv?: string;
  ca?: string;
}

/** `capmedia distribute <folder | .tar | .tar.gz> --package ID --to <url>`: blobs first, the manifest last. */
export async function distributeCommand(args: DistributeArgs, printer: Printer): Promise<void> {
  const source = resolve(args.cwd, args.source);
  const dp = openDistributionPoint(destination(args));
  try {
    const result = await publishSource(source, { id: args.package, name: args.name, version: args.packageVersion, kind: args.kind }, dp);
    printer.result(
      {
        id: result.manifest.id,
        version: result.manifest.version,
        manifestSha256: result.manifestSha256,
        files: result.manifest.files.length,
        uploaded: result.uploaded,
        reused: result.reused,
        bytes: result.bytes,
        to: dp.displayUrl,
      },
      () =>
        `published ${result.manifest.id} (${result.manifest.files.length} files, ${formatBytes(result.bytes)}) to ${dp.displayUrl}: ${result.uploaded} new, ${result.reused} already stored; version ${result.manifest.version}, manifest sha256 ${result.manifestSha256}`,
    );
  } finally {
    await dp.close?.();
  }
}

/** The target as a distribution point config; secrets are named (variable, file), never passed on the command line. */
function destination(args: DistributeArgs): DistributionPointConfig {
  const url = resolveDpUrl(args.cwd, args.to);
  const auth =
    args.tokenEnv || args.passwordEnv || args.passwordFile
      ? {
          username: args.user,
          passwordEnv: args.passwordEnv,
          passwordFile: args.passwordFile && resolve(args.cwd, args.passwordFile),
          tokenEnv: args.tokenEnv,
        }
      : undefined;
  if (args.user && !auth) {
    throw fail('distributeUserNeedsPassword', { user: args.user });
  }
  if (args.tokenEnv && (args.passwordEnv || args.passwordFile)) {
    throw fail('distributeAuthConflict', {});
  }
  if (auth && !auth.tokenEnv && !auth.username) throw fail('distributeBasicNeedsUser', {});
  let host = 'destination';
  if (!url.startsWith('file:')) host = new URL(url).host || host;
  return { name: host, url, auth, ca: args.ca ? resolve(args.cwd, args.ca) : undefined };
}
