import type { Exec } from '../tools/exec.js';

/** How each tool that shapes the media says its version; part of the pack key. */
const VERSION_PROBES: Record<string, readonly string[]> = {
  xorriso: ['-version'],
  'mkfs.fat': ['--help'],
  mcopy: ['--version'],
};

/** First line that carries a version number: tools print banners differently. */
function versionLine(text: string): string {
  return text.split('\n').find((line) => /\d+\.\d+/.test(line))?.trim() ?? text.split('\n')[0]?.trim() ?? '';
}

export async function toolIdentities(exec: Exec, tools: readonly string[] = Object.keys(VERSION_PROBES)): Promise<Record<string, string>> {
  const entries = await Promise.all(
    tools.map(async (tool) => {
      try {
        const { stdout, stderr } = await exec(tool, VERSION_PROBES[tool] ?? ['--version']);
        return [tool, versionLine(`${stdout}\n${stderr}`)] as const;
      } catch (error) {
        // mkfs.fat --help exits 1 on some versions but still prints its banner.
        const e = error as { detail?: string };
        return [tool, versionLine(e.detail ?? 'unknown')] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
