import { validateConfig } from '../../src/config/load.js';
import type { PackageManifest } from '../../src/library/manifest.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { createBuildContext, type BuildContext } from '../../src/tasks/context.js';
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

/** A build context over a config (as data, with overrides) resolved to the given packages, without touching a disk. */
export function contextFor(overrides: Record<string, unknown> = {}, plugins: unknown[] = []): BuildContext {
  const config = validateConfig({ ...baseConfig(), ...overrides, ...(plugins.length ? { plugins } : {}) }, '/nonexistent/project');
  const ctx = createBuildContext(config, { exec: noExec, env: {} });
  ctx.resolved = {
    bootImage: { ...manifest('CM100004'), kind: 'bootimage' },
    platform: linuxPlatform,
    content: [],
    lock: { lockfileVersion: LOCKFILE_VERSION, packages: {} },
    pinned: new Set(),
  };
  ctx.toolIds = Promise.resolve({ xorriso: 'xorriso 1.5.4' });
  return ctx;
}
