import { plan, type MediaPlan } from '../plan.js';
import { formatBytes } from '../config/size.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export async function planCommand(args: CommonArgs & { media?: string[] }, printer: Printer): Promise<void> {
  const plans = await plan({ cwd: args.cwd, configFile: args.config, mediaNames: args.media, force: args.force });
  printer.result(plans, () => plans.map(describe).join('\n\n'));
}

const STATE_LABEL = { cached: '✔ cached', remote: '☁ remote', 'to run': '● to run' } as const;

function describe(p: MediaPlan): string {
  const lines = [
    `${p.media} (${p.type}) → ${p.outputs.join(', ')}`,
    `  content ${formatBytes(p.contentBytes)}, capacity ${p.capacity === null ? 'unlimited' : formatBytes(p.capacity)}`,
  ];
  for (const step of p.steps) {
    lines.push(`  ${STATE_LABEL[step.state]}  ${step.step.padEnd(20)} ${step.key}${step.state === 'cached' ? '  (locally)' : ''}`);
    for (const reason of step.reasons) lines.push(`      ${reason}`);
  }
  if (p.steps.every((s) => s.state === 'cached')) lines.push('  up to date: build would do nothing');
  if (p.steps.some((s) => s.state === 'remote'))
    lines.push('  ☁ remote: the result is in the remote cache and would be downloaded, not built');
  return lines.join('\n');
}
