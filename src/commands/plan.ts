import { plan, type BuildPlan, type MediaPlan } from '../plan.js';
import { formatBytes } from '../config/size.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';
import type { Outcome } from './outcome.js';

export async function planCommand(args: CommonArgs & { media?: string[]; detailedExitcode?: boolean }, printer: Printer): Promise<Outcome> {
  const result = await plan({ cwd: args.cwd, configFile: args.config, mediaNames: args.media, force: args.force });
  const json = planJson(result);
  printer.result(json, () => [...result.media.map(describe), describeLock(result)].join('\n\n'));
  return args.detailedExitcode && json.changes ? 'changes' : 'ok';
}

/**
 * `capmedia plan --json`, version 1 (README "GitOps"): fields are only ever
 * added. `changes` (a media to build, or capmedia.lock to write) is what --detailed-exitcode turns into exit 2.
 */
export function planJson(result: BuildPlan) {
  const media = result.media.map((p) => {
    const upToDate = p.steps.every((s) => s.state === 'cached');
    return {
      name: p.media,
      type: p.type,
      action: upToDate ? ('none' as const) : ('build' as const),
      reasons: upToDate ? [] : reasonsOf(p),
      outputs: p.outputs,
      contentBytes: p.contentBytes,
      capacity: p.capacity,
      packageChanges: p.packageChanges,
      steps: p.steps,
    };
  });
  // A lock that build would write or rewrite is a change to the repository as much as a rebuilt image.
  const changes = media.some((m) => m.action === 'build') || result.lock.state !== 'up to date';
  return { planVersion: 1, changes, lock: result.lock, media };
}

/** Why a media would be built: the packages that moved, else the first step's changed inputs. */
function reasonsOf(p: MediaPlan): string[] {
  if (p.packageChanges.length) return p.packageChanges.map((c) => `package ${c}`);
  return p.steps.find((s) => s.state !== 'cached')?.reasons ?? [];
}

const STATE_LABEL = { cached: '✔ cached', remote: '☁ remote', 'to run': '● to run' } as const;

function describe(p: MediaPlan): string {
  const lines = [
    `${p.media} (${p.type}) → ${p.outputs.join(', ')}`,
    `  content ${formatBytes(p.contentBytes)}, capacity ${p.capacity === null ? 'unlimited' : formatBytes(p.capacity)}`,
  ];
  for (const change of p.packageChanges) lines.push(`  package ${change}`);
  for (const step of p.steps) {
    lines.push(`  ${STATE_LABEL[step.state]}  ${step.step.padEnd(20)} ${step.key}${step.state === 'cached' ? '  (locally)' : ''}`);
    for (const reason of step.reasons) lines.push(`      ${reason}`);
  }
  if (p.steps.every((s) => s.state === 'cached')) lines.push('  up to date: build would do nothing');
  else if (p.steps.some((s) => s.state === 'remote'))
    lines.push('  ☁ remote: the result is in the remote cache and would be downloaded, not built');
  else lines.push(`  would change: ${reasonsOf(p).join('; ') || 'inputs changed'}`);
  return lines.join('\n');
}

function describeLock(result: BuildPlan): string {
  const { lock } = result;
  const lines = [`${lock.path}: ${lock.state} (digest ${lock.digest.slice(0, 12)})`];
  for (const p of lock.packages)
    lines.push(`  ${p.id} ${p.version} (${p.manifestSha256.slice(0, 12)}, ${p.from === 'lock' ? 'pinned' : 'latest, not locked yet'})`);
  return lines.join('\n');
}
