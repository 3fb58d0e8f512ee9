import { build } from '../build.js';
import { formatBytes } from '../config/size.js';
import { loadConfig } from '../config/load.js';
import { askOnTerminal, canAsk } from '../devices/prompt.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export async function buildCommand(
  args: CommonArgs & { media?: string[]; allowMissingDrivers?: boolean },
  printer: Printer,
  signal: AbortSignal,
): Promise<void> {
  const interactive = canAsk({ json: printer.json, yes: args.yes });
  const config = interactive ? (await loadConfig({ cwd: args.cwd, configFile: args.config })).config : undefined;
  // listr2's live renderer owns the terminal: a drive confirmation needs plain lines to be readable.
  const writesDrive = config?.media.some((m) => config.registry.mediaType(m.type).writesDevice?.(m));
  const result = await build({
    config,
    ask: interactive ? askOnTerminal : undefined,
    ...(writesDrive ? { isTTY: false } : {}),
    cwd: args.cwd,
    configFile: args.config,
    mediaNames: args.media,
    allowMissingDrivers: args.allowMissingDrivers,
    assumeYes: args.yes,
    force: args.force,
    json: printer.json,
    verbose: printer.verbose,
    signal,
  });
  printer.result(result, () =>
    [
      ...result.notices.map((n) => `note: ${n}`),
      ...(result.upToDate ? ['up to date: nothing changed since the last build'] : []),
      ...result.outputs.map(
        (o) =>
          `${result.upToDate ? 'unchanged' : 'built'} ${o.path} (${formatBytes(o.size)}, label ${JSON.stringify(o.label)}, sha256 ${o.sha256})`,
      ),
    ].join('\n'),
  );
}
