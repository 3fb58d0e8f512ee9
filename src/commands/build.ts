import { build } from '../build.js';
import { formatBytes } from '../config/size.js';
import { loadConfig } from '../config/load.js';
import { askOnTerminal, canAsk } from '../devices/prompt.js';
import { fail, isCapmediaError, type CapmediaError } from '../errors/index.js';
import { parseShard } from '../lock/shard.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export async function buildCommand(
  args: CommonArgs & { media?: string[]; allowMissingDrivers?: boolean; locked?: boolean; shard?: string; keepGoing?: boolean },
  printer: Printer,
  signal: AbortSignal,
): Promise<void> {
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
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
    locked: args.locked,
    shard,
    keepGoing: args.keepGoing,
    force: args.force,
    json: printer.json,
    verbose: printer.verbose,
    signal,
  });
  const shown = { ...result, failures: result.failures.map(({ media, error }) => ({ media, ...describeError(error) })) };
  printer.result(shown, () =>
    [
      ...result.notices.map((n) => `note: ${n}`),
      ...(result.upToDate ? ['up to date: nothing changed since the last build'] : []),
      ...result.outputs.map(
        (o) =>
          `${result.upToDate ? 'unchanged' : 'built'} ${o.path} (${formatBytes(o.size)}, label ${JSON.stringify(o.label)}, sha256 ${o.sha256})`,
      ),
    ].join('\n'),
  );
  if (result.failures.length) throw mediaFailed(result.failures);
}

/** --keep-going: one error naming every media that failed, each with its own message. */
function mediaFailed(failures: Array<{ media: string; error: unknown }>): CapmediaError {
  const lines = failures.map(({ media, error }) => {
    const message = error instanceof Error ? error.message : String(error);
    return message.includes(`"${media}"`) ? `  ${message}` : `  Media "${media}": ${message}`;
  });
  return fail('mediaFailed', { count: failures.length, lines });
}

function describeError(error: unknown): { code: string; message: string } {
  // Anything but a CapmediaError is a bug of capmedia's, not a fault of the input.
  return isCapmediaError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: String(error) };
}
