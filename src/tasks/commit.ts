import type { BuildServices } from './services.js';
import type { StepKey } from './results.js';

export type RecordedStep = 'stage' | 'publish';

/**
 * Writes a step's record: the last thing a step does, once every output it
 * names is in place, so a record is never ahead of its outputs (Bazel's
 * action cache commit marker). Every step record is written here.
 */
export async function commitStep<T>(services: BuildServices, step: RecordedStep, key: StepKey, outputs: T): Promise<void> {
  await services.actions.put(step, key.key, key.preimage, outputs);
}
