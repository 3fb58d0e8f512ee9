import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolve } from 'node:path';
import { exitCodeFor } from './errors/index.js';
import { VERSION } from './version.js';
import { createPrinter } from './commands/output.js';
import { removeTrackedPartialsSync } from './fs/partials.js';
import type { CommonArgs } from './commands/common.js';
import { COMMANDS, type CommandSpec, type Handler } from './commands/table.js';
import { provideLibrary } from './config/library.js';

// A config's 'capmedia' is this program's library (see config/library.ts); loaded only when a config imports it.
provideLibrary(() => import('./index.js'));

/**
 * The one place errors become exit codes: 0 ok, 1 build failed, 2 usage or
 * config error, 130 interrupted.
 */
const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts++;
    if (interrupts > 1) exitInterrupted();
    process.stderr.write('\ncapmedia: stopping… previous outputs stay untouched; run the same command again to build.\n');
    controller.abort();
    // Every step stops within a second; should anything still hang (a file system call that never returns), end anyway.
    setTimeout(exitInterrupted, 5000).unref();
  });
}

/** A cancelled build leaves nothing behind, even when it ends at once. */
function exitInterrupted(): never {
  removeTrackedPartialsSync();
  process.exit(130);
}

function run<A extends CommonArgs>(handler: Handler) {
  return async (argv: Record<string, unknown>): Promise<void> => {
    const args = { ...argv, cwd: resolve(String(argv.cwd ?? process.cwd())), force: Boolean(argv.force) || argv.cache === false } as A;
    // CI tools (examples/ci) check their command lines against this parser without running them.
    if (process.env.CAPMEDIA_PARSE_ONLY === '1') {
      process.stdout.write(`${JSON.stringify({ command: argv._, args: argv })}\n`);
      return;
    }
    const printer = createPrinter(args);
    try {
      if ((await handler(args, printer, controller.signal)) === 'changes') process.exitCode = 2;
    } catch (error) {
      printer.error(error);
      // --detailed-exitcode keeps 2 for "would change": every error is 1 (Terraform's convention).
      process.exitCode = controller.signal.aborted ? 130 : argv.detailedExitcode ? 1 : exitCodeFor(error);
      // Abandoned work (a hung transfer, a tool being stopped) must not keep a cancelled process alive.
      if (controller.signal.aborted) exitInterrupted();
    }
  };
}

/** A command of the table as yargs calls: its positionals, options and check, or its own commands. */
function addCommand(y: Argv<any>, spec: CommandSpec): Argv<any> {
  const builder = (c: Argv<any>): Argv<any> => {
    for (const [name, positional] of Object.entries(spec.positionals ?? {})) c = c.positional(name, positional);
    if (spec.options) c = c.options(spec.options);
    if (spec.check) c = c.check((argv) => spec.check!(argv) ?? true);
    for (const sub of spec.commands ?? []) c = addCommand(c, sub);
    return spec.demand ? c.demandCommand(1, spec.demand) : c;
  };
  return y.command(spec.command, spec.describe, builder, spec.run && run(spec.run));
}

const globalOptions = yargs(hideBin(process.argv))
  .scriptName('capmedia')
  .usage('$0 <command> [options]\n\nBuild bootable capture media (ISO, USB) from capmedia.config.ts.')
  .option('config', { type: 'string', describe: 'config file (default: searched from --cwd upward)' })
  .option('cwd', { type: 'string', describe: 'work in this folder', default: process.cwd(), defaultDescription: 'current folder' })
  .option('json', { type: 'boolean', describe: 'machine-readable output' })
  .option('verbose', { type: 'boolean', alias: 'v', describe: 'plain log lines and tool output on errors' })
  .option('yes', { type: 'boolean', alias: 'y', describe: 'answer yes to confirmations' })
  .option('force', { type: 'boolean', describe: 'ignore cached steps and redo every step (also --no-cache)' })
  .option('cache', { type: 'boolean', hidden: true, describe: '--no-cache is --force' });

const cli = COMMANDS.reduce(addCommand, globalOptions)
  .demandCommand(1, 'say which command to run (see --help)')
  .strict()
  .version(VERSION)
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((message, error) => {
    // A failed .check passes its problem as a string: a usage error like any other; a thrown Error is a bug to show.
    if (error instanceof Error && error.name !== 'YError') throw error;
    const hint = 'run capmedia --help for the commands and options.';
    const code = process.argv.includes('--detailed-exitcode') ? 1 : 2;
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message, hint } })}\n`);
    else process.stderr.write(`capmedia: ${message}\n  hint: ${hint}\n`);
    process.exit(code);
  });

// Before running a command yargs renders the whole help text in case the command shows it; none of ours does, and
// --help and usage errors render their own (~17 ms of CPU on every run, a twentieth of a no-op build).
const usage = (cli as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } })
  .getInternalMethods?.()
  .getUsageInstance?.();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;

// No top-level await: the shipped CLI is a CommonJS bundle (scripts/bundle-cli.mjs); a failure still rejects unhandled,
// which ends the process with its stack trace and exit code 1.
void cli.parseAsync();
