import { readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Exec } from '../tools/exec.js';
import { writeJsonAtomically } from '../fs/atomic.js';

/** How each tool that shapes the media says its version; part of the pack key. */
const VERSION_PROBES: Record<string, readonly string[]> = {
  xorriso: ['-version'],
  'mkfs.fat': ['--help'],
  mcopy: ['--version'],
  sfdisk: ['--version'],
  syslinux: ['--version'],
  'wimlib-imagex': ['--version'],
};

/** First line that carries a version number: tools print banners differently. */
function versionLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => /\d+\.\d+/.test(line))
      ?.trim() ??
    text.split('\n')[0]?.trim() ??
    ''
  );
}

async function probe(exec: Exec, tool: string): Promise<string> {
  try {
    const { stdout, stderr } = await exec(tool, VERSION_PROBES[tool] ?? ['--version']);
    return versionLine(`${stdout}\n${stderr}`);
  } catch (error) {
    // Some versions exit non-zero on --help but still print their banner.
    return versionLine((error as { detail?: string }).detail ?? 'unknown');
  }
}

/** The binary a name runs, found as execve would: first match on PATH. */
async function whichStat(tool: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const info = await stat(join(dir, tool)).catch(() => undefined);
    if (info?.isFile()) return `${join(dir, tool)}:${info.size}:${info.mtimeMs}:${info.ino}`;
  }
  return undefined;
}

/**
 * Tool versions, probed once per installed binary: a no-change build should
 * not spawn three programs just to learn nothing changed. A different binary
 * (path, size, mtime or inode) is probed again.
 */
export async function toolIdentities(
  exec: Exec,
  cacheDir?: string,
  tools: readonly string[] = Object.keys(VERSION_PROBES),
): Promise<Record<string, string>> {
  const file = cacheDir ? join(cacheDir, 'tools.json') : undefined;
  const known = file ? ((await readFile(file, 'utf8').then(JSON.parse, () => ({}))) as Record<string, string>) : {};
  let changed = false;
  const entries = await Promise.all(
    tools.map(async (tool) => {
      const binary = await whichStat(tool);
      const cacheKey = binary ? `${tool}@${binary}` : undefined;
      if (cacheKey && known[cacheKey]) return [tool, known[cacheKey]] as const;
      const version = await probe(exec, tool);
      if (cacheKey) {
        known[cacheKey] = version;
        changed = true;
      }
      return [tool, version] as const;
    }),
  );
  if (file && changed) await writeJsonAtomically(file, known).catch(() => undefined);
  return Object.fromEntries(entries);
}
