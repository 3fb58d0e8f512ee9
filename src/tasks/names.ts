import { fail, type CapmediaError } from '../errors/index.js';
import { printable, quoted } from '../printable.js';
import type { NameRules } from '../plugins/media/name-rules.js';
import type { BuildContext } from './context.js';
import { placements } from './layout.js';
import type { Resolved } from './results.js';

/** How many refused names one error lists; the rest are counted. */
const SHOWN = 20;

export interface NameProblem {
  packageId: string;
  /** The path as the package names it. */
  path: string;
  problem: string;
}

/**
 * Refuses, before anything is fetched, every file whose name the media's file
 * system cannot hold (R12's "characters a file system cannot hold", for file
 * names): all of them in one error, each with its package. Runs in the
 * resolve step for every media type that declares name rules.
 */
export function checkMediaNames(ctx: BuildContext, resolved: Resolved): void {
  const files = placements(resolved);
  for (const job of ctx.jobs) {
    const rules = ctx.config.registry.mediaType(job.media.type).nameRules;
    if (!rules) continue;
    const problems = nameProblems(files, rules);
    if (problems.length) throw refused(problems, rules, job.media.name, ctx.jobs.length > 1);
  }
}

/**
 * Each component once (a folder is named once, however many files it holds); then names that only case tells apart.
 * Runs on every file before every build: a file whose folder was seen has only its own name to look at.
 */
export function nameProblems(files: ReadonlyArray<{ target: string; packageId: string }>, rules: NameRules): NameProblem[] {
  const problems: NameProblem[] = [];
  const seen = new Set<string>();
  const folded = new Map<string, string>();
  for (const { target, packageId } of files) {
    const leaf = target.lastIndexOf('/') + 1;
    // Every folder above a seen path was seen with it.
    let start = leaf > 0 && seen.has(target.slice(0, leaf - 1)) ? leaf : 0;
    for (;;) {
      const end = target.indexOf('/', start);
      const path = end < 0 ? target : target.slice(0, end);
      if (!seen.has(path)) {
        seen.add(path);
        const component = end < 0 ? target.slice(start) : target.slice(start, end);
        const problem = rules.problem(component);
        if (problem) problems.push({ packageId, path: packagePath(path, packageId), problem: `${quoted(component)} ${problem}` });
        // Windows, FAT and Joliet readers ignore case: two such names are one file there.
        const key = path.normalize('NFC').toUpperCase();
        const other = folded.get(key);
        if (other !== undefined && other !== path) {
          problems.push({
            packageId,
            path: packagePath(path, packageId),
            problem: `differs from ${quoted(other)} only by case (or Unicode normalization)`,
          });
        } else folded.set(key, path);
      }
      if (end < 0) break;
      start = end + 1;
    }
  }
  return problems;
}

/** Content packages sit under SMS/PKG/<id>/ on the media; the package names the file without that prefix. */
function packagePath(target: string, packageId: string): string {
  const prefix = `SMS/PKG/${packageId}/`;
  return target.startsWith(prefix) ? target.slice(prefix.length) : target;
}

function refused(problems: NameProblem[], rules: NameRules, media: string, named: boolean): CapmediaError {
  const lines = problems
    .slice(0, SHOWN)
    .map((p) => `  package ${printable(p.packageId) || '(generated)'}: ${printable(p.path)}: ${p.problem}`);
  if (problems.length > SHOWN) lines.push(`  … and ${problems.length - SHOWN} more`);
  const packages = [...new Set(problems.map((p) => printable(p.packageId)).filter(Boolean))].join(', ');
  return fail('namesUnsupported', {
    count: problems.length,
    media: named ? media : undefined,
    fileSystem: rules.fileSystem,
    lines,
    packages,
  });
}
