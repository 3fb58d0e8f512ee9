import { XORRISO_NATIVE_CHARSET } from '../tools/charset.js';
import type { Exec } from '../tools/exec.js';
import { readFatNames } from '../tools/fat-names.js';

/** How many name problems a report lists; the rest are counted. */
const SHOWN = 20;

/**
 * Names as each reader sees them. On an ISO, Linux reads Rock Ridge and
 * Windows (and 7-Zip) read Joliet: a name that differs between the two trees
 * reaches Windows wrong. On FAT, a long name that does not decode or does not
 * belong to its short entry is shown garbled or as its 8.3 name.
 */
export async function isoNameProblems(exec: Exec, iso: string): Promise<string[]> {
  const [rockRidge, joliet] = await Promise.all([isoTree(exec, iso, []), isoTree(exec, iso, ['-read_fs', 'norock'])]);
  const inJoliet = new Set(joliet);
  const inRockRidge = new Set(rockRidge);
  const problems = [
    ...rockRidge.filter((p) => !inJoliet.has(p)).map((p) => `name differs between Rock Ridge and Joliet (what Windows reads): ${p}`),
    ...joliet.filter((p) => !inRockRidge.has(p)).map((p) => `Joliet has a name Rock Ridge does not: ${p}`),
  ];
  return limited(problems);
}

/** Every path of one tree of the ISO (folders included), as UTF-8. */
async function isoTree(exec: Exec, iso: string, readFs: string[]): Promise<string[]> {
  const { stdout } = await exec('xorriso', ['-no_rc', ...XORRISO_NATIVE_CHARSET, ...readFs, '-indev', iso, '-find', '/']);
  return stdout
    .split('\n')
    .map((line) => /^'\/(.+)'$/.exec(line.trim())?.[1])
    .filter((path): path is string => Boolean(path))
    .map((path) => path.replace(/'"'"'/g, "'"));
}

/** FAT: long names that do not decode or do not belong to their short entry. */
export async function fatNameProblems(file: string, offset: number): Promise<string[]> {
  return limited((await readFatNames(file, offset))?.problems ?? []);
}

function limited(problems: string[]): string[] {
  return problems.length > SHOWN ? [...problems.slice(0, SHOWN), `… and ${problems.length - SHOWN} more name problems`] : problems;
}
