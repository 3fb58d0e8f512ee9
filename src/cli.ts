#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolve } from 'node:path';
import { exitCodeFor } from './errors.js';
import { VERSION } from './version.js';
import { createPrinter } from './commands/output.js';
import type { CommonArgs } from './commands/common.js';
import type { Printer } from './commands/output.js';

type Handler = (args: any, printer: Printer, signal: AbortSignal) => Promise<void>;

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

/**
 * The one place errors become exit codes: 0 ok, 1 build failed, 2 usage or
 * config error, 130 interrupted.
 */
const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ncapmedia: stopping… previous outputs stay untouched; run the same command again to build.\n');
    controller.abort();
  });
}

function run<A extends CommonArgs>(handler: Handler) {
  return async (argv: Record<string, unknown>): Promise<void> => {
    const args = { ...argv, cwd: resolve(String(argv.cwd ?? process.cwd())), force: Boolean(argv.force) || argv.cache === false } as A;
    const printer = createPrinter(args);
    try {
      await handler(args, printer, controller.signal);
    } catch (error) {
      printer.error(error);
      process.exitCode = controller.signal.aborted ? 130 : exitCodeFor(error);
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
        .option('allow-missing-drivers', { type: 'boolean', describe: 'warn instead of failing when the boot image lacks target.drivers' }),
    run(buildCommand),
  )
  .command(
    'plan [media..]',
    'what build would do: each step cached or to run and why, sizes, outputs',
    (y: Argv<any>): Argv<any> => y.positional('media', { type: 'string', array: true, describe: 'media names from the config' }),
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
            .option('arch', { type: 'string', default: 'x64', describe: 'boot image architecture' })
            .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
            .option('cache-dir', { type: 'string', describe: 'where downloaded packages are kept' })
            .option('kernel-package', { type: 'string', describe: 'Debian kernel package (default: what linux-image-amd64 depends on)' }),
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
        .option('as', {
          choices: ['cd', 'usb'] as const,
          describe: 'attach as a CD or a USB stick (default: cd for an ISO, usb for a disk image)',
        })
        .option('timeout', { type: 'number', default: 180, describe: 'seconds' })
        .option('marker', { type: 'string', describe: 'success pattern (regular expression)' }),
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
      .demandCommand(1, 'say which image command: verify or restore'),
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
  .demandCommand(1, 'say which command to run (see --help)')
  .strict()
  .version(VERSION)
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((message, error) => {
    if (error) throw error;
    const hint = 'run capmedia --help for the commands and options.';
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message, hint } })}\n`);
    else process.stderr.write(`capmedia: ${message}\n  hint: ${hint}\n`);
    process.exit(2);
  });

await cli.parseAsync();
