/** The state of each step as the simple (non-TTY) listr2 renderer prints it. */
export type StepState = 'done' | 'skipped' | 'failed' | 'unknown';

const STEPS = ['resolve content', 'verify distribution', 'stage', 'format/pack', 'split', 'label'] as const;

export function stepStates(stdout: string): Record<(typeof STEPS)[number], StepState> {
  const states = {} as Record<(typeof STEPS)[number], StepState>;
  const lines = stdout.split('\n');
  for (const step of STEPS) {
    const escaped = step.replace(/[/]/g, '\\/');
    if (lines.some((l) => new RegExp(`^↓ ${escaped} \\[SKIPPED`).test(l))) states[step] = 'skipped';
    else if (lines.some((l) => new RegExp(`^✖ ${escaped}(?=$|[\\s:])`).test(l))) states[step] = 'failed';
    else if (lines.some((l) => new RegExp(`^✔ ${escaped}(?=$|[\\s:])`).test(l))) states[step] = 'done';
    else states[step] = 'unknown';
  }
  return states;
}
