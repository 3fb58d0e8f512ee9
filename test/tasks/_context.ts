import { validateConfig } from '../../src/config/load.js';
import type { PackageManifest } from '../../src/library/manifest.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { createBuildContext, type BuildContext } from '../../src/tasks/context.js';
import type { PackInputs } from '../../src/tasks/keys.js';
import type { Resolved } from '../../src/tasks/results.js';
import type { Exec } from '../../src/tools/exec.js';
import { baseConfig } from '../_helpers/config.js';
import { LOCKFILE_VERSION } from '../../src/lock/lockfile.js';

/** Planners never run tools; a call is a bug in the test's assumptions. */
const noExec: Exec = async (file) => {
  throw new Error(`unexpected call of ${file}`);
};

export function manifest(id: string, files: Array<[string, string]> = [['a.bin', 'a'.repeat(64)]]): PackageManifest {
  return { id, version: '1', name: id, kind: 'content', files: files.map(([path, sha256]) => ({ path, sha256, size: 1 })) };
}

/** A build context over a config (as data, with overrides), without touching a disk. */
export function contextFor(overrides: Record<string, unknown> = {}, plugins: unknown[] = []): BuildContext {
  const config = validateConfig({ ...baseConfig(), ...overrides, ...(plugins.length ? { plugins } : {}) }, '/nonexistent/project');
  return createBuildContext(config, { exec: noExec, env: {} });
}

/** What the resolve step would hand on: the boot image CM100004 on the Linux platform, no content packages. */
export function resolvedContent(content: PackageManifest[] = []): Resolved {
  return {
    bootImage: { ...manifest('CM100004'), kind: 'bootimage' },
    platform: linuxPlatform,
    content,
    lock: { lockfileVersion: LOCKFILE_VERSION, packages: {} },
    pinned: new Set(),
  };
}

/** The pack key's inputs besides the media, with fixed tool versions (nothing is probed). */
export function packInputs(ctx: BuildContext, overrides: Partial<PackInputs> = {}): PackInputs {
  return {
    config: ctx.config,
    resolved: resolvedContent(),
    tools: { xorriso: 'xorriso 1.5.4' },
    sourceDateEpoch: 315_532_800,
    ...overrides,
  };
}
