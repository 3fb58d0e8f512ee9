#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolve } from 'node:path';
import { exitCodeFor } from './errors/index.js';
import { VERSION } from './version.js';
import { createPrinter } from './commands/output.js';
import { removeTrackedPartialsSync } from './fs/partials.js';
import type { CommonArgs } from './commands/common.js';
import type { Printer } from './commands/output.js';
import type { Outcome } from './commands/outcome.js';
import { SUPPORTED_ARCHES } from './bootimage/types.js';
import { bootOptionProblem, shardOptionProblem } from './commands/option-checks.js';

type Handler = (args: any, printer: Printer, signal: AbortSignal) => Promise<Outcome>;

/** Command modules load on use, so `capmedia build` does not pay for QEMU or boot image code. */
const lazy =
  (load: () => Promise<Record<string, unknown>>, name: string): Handler =>
  async (args, printer, signal) =>
    ((await load())[name] as Handler)(args, printer, signal);

const buildCommand = lazy(() => import('./commands/build.js'), 'buildCommand');
const distributeCommand = lazy(() => import('./commands/distribute.js'), 'distributeCommand');
const bootImageCreateCommand = lazy(() => import('./commands/bootimage.js'), 'bootImageCreateCommand');
const bootCommand = lazy(() => import('./commands/boot.js'), 'bootCommand');
const verifyCommand = lazy(() => import('./commands/verify.js'), 'verifyCommand');
const initCommand = lazy(() => import('./commands/init.js'), 'initCommand');
const planCommand = lazy(() => import('./commands/plan.js'), 'planCommand');
const cleanCommand = lazy(() => import('./commands/clean.js'), 'cleanCommand');
const imageVerifyCommand = lazy(() => import('./commands/image.js'), 'imageVerifyCommand');
const imageRestoreCommand = lazy(() => import('./commands/image.js'), 'imageRestoreCommand');
const cacheStatsCommand = lazy(() => import('./commands/cache.js'), 'cacheStatsCommand');
const outdatedCommand = lazy(() => import('./commands/outdated.js'), 'outdatedCommand');
const updateCommand = lazy(() => import('./commands/update.js'), 'updateCommand');
const matrixCommand = lazy(() => import('./commands/matrix.js'), 'matrixCommand');
const schemaCommand = lazy(() => import('./commands/schema.js'), 'schemaCommand');
const imageConvertCommand = lazy(() => import('./commands/image.js'), 'imageConvertCommand');
const imageInfoCommand = lazy(() => import('./commands/image.js'), 'imageInfoCommand');

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

const cli = yargs(hideBin(process.argv))
  .scriptName('capmedia')
  .usage('$0 <command> [options]\n\nBuild bootable capture media (ISO, USB) from capmedia.config.ts.')
  .option('config', { type: 'string', describe: 'config file (default: searched from --cwd upward)' })
  .option('cwd', { type: 'string', describe: 'work in this folder', default: process.cwd(), defaultDescription: 'current folder' })
  .option('json', { type: 'boolean', describe: 'machine-readable output' })
  .option('verbose', { type: 'boolean', alias: 'v', describe: 'plain log lines and tool output on errors' })
  .option('yes', { type: 'boolean', alias: 'y', describe: 'answer yes to confirmations' })
  .option('force', { type: 'boolean', describe: 'ignore cached steps and redo every step (also --no-cache)' })
  .option('cache', { type: 'boolean', hidden: true, describe: '--no-cache is --force' })
  .command(
    'build [media..]',
    'build media (all, or the named ones)',
    (y: Argv<any>): Argv<any> =>
      y
        .positional('media', { type: 'string', array: true, describe: 'media names from the config' })
        .option('allow-missing-drivers', { type: 'boolean', describe: 'warn instead of failing when the boot image lacks target.drivers' })
        .option('locked', {
          type: 'boolean',
          describe: 'build exactly what capmedia.lock pins; exit 2 if it is missing or differs from the config',
        })
        .option('shard', { type: 'string', describe: 'build only the k-th of n shares of the media, by name: --shard 2/4' })
        .option('keep-going', { type: 'boolean', describe: 'when a media fails, build the others; exit 1 naming each failure' })
        .check((argv) => shardOptionProblem(argv.shard) ?? true),
    run(buildCommand),
  )
  .command(
    'plan [media..]',
    'what build would do: each step cached or to run and why, sizes, outputs',
    (y: Argv<any>): Argv<any> =>
      y.positional('media', { type: 'string', array: true, describe: 'media names from the config' }).option('detailed-exitcode', {
        type: 'boolean',
        describe: 'exit 0 when every output is up to date, 2 when a build would change one, 1 on error',
      }),
    run(planCommand),
  )
  .command(
    'distribute <source>',
    'publish a folder or tarball as a package to a distribution point',
    (y: Argv<any>): Argv<any> =>
      y
        .positional('source', { type: 'string', demandOption: true, describe: 'package folder, .tar or .tar.gz' })
        .option('package', { type: 'string', describe: 'package ID (default: "id" in capmedia-package.json)' })
        .option('to', {
          type: 'string',
          demandOption: true,
          describe: 'distribution point URL: file:./content, or http(s)://… accepting WebDAV PUT',
        })
        .option('name', { type: 'string' })
        .option('package-version', { type: 'string', describe: 'package version (default: from capmedia-package.json, else 1)' })
        .option('kind', { choices: ['bootimage', 'content'] as const })
        .option('user', { type: 'string', describe: 'http(s): Basic auth user name (with --password-env or --password-file)' })
        .option('password-env', { type: 'string', describe: 'http(s): environment variable holding the password' })
        .option('password-file', { type: 'string', describe: 'http(s): file holding the password' })
        .option('token-env', { type: 'string', describe: 'http(s): environment variable holding a Bearer token' })
        .option('ca', { type: 'string', describe: 'https: PEM bundle of the CA to trust besides the system ones' }),
    run(distributeCommand),
  )
  .command('bootimage', 'boot image commands', (y: Argv<any>): Argv<any> =>
    y
      .command(
        'create',
        'build the linux boot image folder from Debian packages',
        (c: Argv<any>): Argv<any> =>
          c
            .option('arch', { choices: SUPPORTED_ARCHES, default: 'x64', describe: 'boot image architecture' })
            .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
            .option('cache-dir', { type: 'string', describe: 'where downloaded packages are kept' })
            .option('kernel-package', { type: 'string', describe: 'Debian kernel package (default: what linux-image-amd64 depends on)' })
            .option('secure-boot', {
              type: 'boolean',
              default: true,
              describe: "Debian's signed shim → GRUB → kernel (boots with UEFI Secure Boot on); --no-secure-boot: unsigned standalone GRUB",
            }),
        run(bootImageCreateCommand),
      )
      .demandCommand(1, 'say which bootimage command: create'),
  )
  .command(
    'boot <image>',
    'boot media headless under QEMU and report the markers',
    (y: Argv<any>): Argv<any> =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .option('firmware', { choices: ['bios', 'uefi'] as const, default: 'uefi' as const })
        .option('secure-boot', { type: 'boolean', describe: "UEFI with Secure Boot enforced and Microsoft's keys enrolled" })
        .option('as', {
          choices: ['cd', 'usb'] as const,
          describe: 'attach as a CD or a USB stick (default: cd for an ISO, usb for a disk image)',
        })
        .option('timeout', { type: 'number', default: 180, describe: 'seconds' })
        .option('marker', { type: 'string', describe: 'success pattern (regular expression)' })
        .check((argv) => bootOptionProblem(argv) ?? true),
    run(bootCommand),
  )
  .command(
    'verify <output>',
    'inspect built media: boot records, label, MediaLabel.txt, checksum',
    (y: Argv<any>): Argv<any> => y.positional('output', { type: 'string', demandOption: true }),
    run(verifyCommand),
  )
  .command('image', 'captured image commands', (y: Argv<any>): Argv<any> =>
    y
      .command(
        'verify <image>',
        'check a captured image (folder or http(s) URL) against its manifest',
        (c: Argv<any>): Argv<any> =>
          c
            .positional('image', { type: 'string', demandOption: true, describe: 'image folder, its manifest.json, or its http(s) URL' })
            .option('quick', { type: 'boolean', describe: 'compare sizes and hashes only; do not decompress' }),
        run(imageVerifyCommand),
      )
      .command(
        'restore <image>',
        'write a captured image back into a disk image file (no root needed)',
        (c: Argv<any>): Argv<any> =>
          c
            .positional('image', { type: 'string', demandOption: true, describe: 'image folder, its manifest.json, or its http(s) URL' })
            .option('to', { type: 'string', demandOption: true, describe: 'disk image file to create' })
            .option('force', { type: 'boolean', describe: 'replace an existing file once the restore succeeded' }),
        run(imageRestoreCommand),
      )
      .command(
        'info <image>',
        'show what a captured image holds: WIM images (name, partition, Windows edition) and raw parts',
        (c: Argv<any>): Argv<any> =>
          c.positional('image', { type: 'string', demandOption: true, describe: 'image folder, its manifest.json, or its http(s) URL' }),
        run(imageInfoCommand),
      )
      .command(
        'convert <image>',
        "write a captured image's WIM parts as one standard WIM (what DISM reads), e.g. after an http(s) capture",
        (c: Argv<any>): Argv<any> =>
          c
            .positional('image', { type: 'string', demandOption: true, describe: 'image folder, its manifest.json, or its http(s) URL' })
            .option('to', { type: 'string', demandOption: true, describe: 'WIM file to create' })
            .option('split', { type: 'string', describe: 'cut into .swm parts of at most this size, e.g. 3800MB (FAT32)' })
            .option('force', { type: 'boolean', describe: 'replace existing output files once the new ones are complete' }),
        run(imageConvertCommand),
      )
      .demandCommand(1, 'say which image command: verify, restore, info or convert'),
  )
  .command('init', 'write a starter capmedia.config.ts', (y: Argv<any>): Argv<any> => y, run(initCommand))
  .command('clean', 'remove the cache and stale staging folders', (y: Argv<any>): Argv<any> => y, run(cleanCommand))
  .command('cache', 'cache commands', (y: Argv<any>): Argv<any> =>
    y
      .command(
        'stats',
        'hits, misses and bytes up/down of the last build (local and remote cache)',
        (c: Argv<any>): Argv<any> => c,
        run(cacheStatsCommand),
      )
      .demandCommand(1, 'say which cache command: stats'),
  )
  .command(
    'outdated',
    'compare capmedia.lock with the latest versions on the distribution points',
    (y: Argv<any>): Argv<any> =>
      y.option('detailed-exitcode', { type: 'boolean', describe: 'exit 0 when nothing is newer, 2 when something is, 1 on error' }),
    run(outdatedCommand),
  )
  .command(
    'update [packages..]',
    'pin the latest versions (of all packages, or the named ones) in capmedia.lock',
    (y: Argv<any>): Argv<any> =>
      y
        .positional('packages', { type: 'string', array: true, describe: 'package IDs (default: every package of the config)' })
        .option('dry-run', { type: 'boolean', describe: 'show old → new without writing the lock' }),
    run(updateCommand),
  )
  .command('matrix', "the config's media (name, type, outputs) for a CI matrix", (y: Argv<any>): Argv<any> => y, run(matrixCommand))
  .command('schema', "print the config's JSON Schema (for editors: $schema)", (y: Argv<any>): Argv<any> => y, run(schemaCommand))
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

await cli.parseAsync();
