import type { Options, PositionalOptions } from 'yargs';
import { SUPPORTED_ARCHES } from '../bootimage/types.js';
import { bootOptionProblem, shardOptionProblem } from './option-checks.js';
import type { Printer } from './output.js';
import type { Outcome } from './outcome.js';

export type Handler = (args: any, printer: Printer, signal: AbortSignal) => Promise<Outcome>;

/** One command as data: src/cli.ts turns the table into yargs calls in one place. */
export interface CommandSpec {
  command: string;
  describe: string;
  positionals?: Record<string, PositionalOptions>;
  options?: Record<string, Options>;
  /** A problem with the options as a sentence (a usage error), or undefined. */
  check?: (argv: Record<string, any>) => string | undefined;
  run?: Handler;
  /** A command group: its commands, and what to say when none is given. */
  commands?: CommandSpec[];
  demand?: string;
}

/** Command modules load on use, so `capmedia build` does not pay for QEMU or boot image code. */
const lazy =
  (load: () => Promise<Record<string, unknown>>, name: string): Handler =>
  async (args, printer, signal) =>
    ((await load())[name] as Handler)(args, printer, signal);

const MEDIA: PositionalOptions = { type: 'string', array: true, describe: 'media names from the config' };

/** `capmedia image <verb> <image>`: every image command takes the image the same way. */
function imageCommand(verb: string, describe: string, handler: string, options?: Record<string, Options>): CommandSpec {
  return {
    command: `${verb} <image>`,
    describe,
    positionals: { image: { type: 'string', demandOption: true, describe: 'image folder, its manifest.json, or its http(s) URL' } },
    options,
    run: lazy(() => import('./image.js'), handler),
  };
}

export const COMMANDS: CommandSpec[] = [
  {
    command: 'build [media..]',
    describe: 'build media (all, or the named ones)',
    positionals: { media: MEDIA },
    options: {
      'allow-missing-drivers': { type: 'boolean', describe: 'warn instead of failing when the boot image lacks target.drivers' },
      locked: { type: 'boolean', describe: 'build exactly what capmedia.lock pins; exit 2 if it is missing or differs from the config' },
      shard: { type: 'string', describe: 'build only the k-th of n shares of the media, by name: --shard 2/4' },
      'keep-going': { type: 'boolean', describe: 'when a media fails, build the others; exit 1 naming each failure' },
    },
    check: (argv) => shardOptionProblem(argv.shard),
    run: lazy(() => import('./build.js'), 'buildCommand'),
  },
  {
    command: 'plan [media..]',
    describe: 'what build would do: each step cached or to run and why, sizes, outputs',
    positionals: { media: MEDIA },
    options: {
      'detailed-exitcode': {
        type: 'boolean',
        describe: 'exit 0 when every output is up to date, 2 when a build would change one, 1 on error',
      },
    },
    run: lazy(() => import('./plan.js'), 'planCommand'),
  },
  {
    command: 'distribute <source>',
    describe: 'publish a folder or tarball as a package to a distribution point',
    positionals: { source: { type: 'string', demandOption: true, describe: 'package folder, .tar or .tar.gz' } },
    options: {
      package: { type: 'string', describe: 'package ID (default: "id" in capmedia-package.json)' },
      to: { type: 'string', demandOption: true, describe: 'distribution point URL: file:./content, or http(s)://… accepting WebDAV PUT' },
      name: { type: 'string' },
      'package-version': { type: 'string', describe: 'package version (default: from capmedia-package.json, else 1)' },
      kind: { choices: ['bootimage', 'content'] },
      user: { type: 'string', describe: 'http(s): Basic auth user name (with --password-env or --password-file)' },
      'password-env': { type: 'string', describe: 'http(s): environment variable holding the password' },
      'password-file': { type: 'string', describe: 'http(s): file holding the password' },
      'token-env': { type: 'string', describe: 'http(s): environment variable holding a Bearer token' },
      ca: { type: 'string', describe: 'https: PEM bundle of the CA to trust besides the system ones' },
    },
    run: lazy(() => import('./distribute.js'), 'distributeCommand'),
  },
  {
    command: 'bootimage',
    describe: 'boot image commands',
    demand: 'say which bootimage command: create',
    commands: [
      {
        command: 'create',
        describe: 'build the linux boot image folder from Debian packages',
        options: {
          arch: { choices: SUPPORTED_ARCHES, default: 'x64', describe: 'boot image architecture' },
          out: { type: 'string', demandOption: true, describe: 'output folder' },
          'cache-dir': { type: 'string', describe: 'where downloaded packages are kept' },
          'kernel-package': { type: 'string', describe: 'Debian kernel package (default: what linux-image-amd64 depends on)' },
          'secure-boot': {
            type: 'boolean',
            default: true,
            describe: "Debian's signed shim → GRUB → kernel (boots with UEFI Secure Boot on); --no-secure-boot: unsigned standalone GRUB",
          },
        },
        run: lazy(() => import('./bootimage.js'), 'bootImageCreateCommand'),
      },
    ],
  },
  {
    command: 'boot <image>',
    describe: 'boot media headless under QEMU and report the markers',
    positionals: { image: { type: 'string', demandOption: true } },
    options: {
      firmware: { choices: ['bios', 'uefi'], default: 'uefi' },
      'secure-boot': { type: 'boolean', describe: "UEFI with Secure Boot enforced and Microsoft's keys enrolled" },
      as: { choices: ['cd', 'usb'], describe: 'attach as a CD or a USB stick (default: cd for an ISO, usb for a disk image)' },
      timeout: { type: 'number', default: 180, describe: 'seconds' },
      marker: { type: 'string', describe: 'success pattern (regular expression)' },
    },
    check: (argv) => bootOptionProblem(argv as Parameters<typeof bootOptionProblem>[0]),
    run: lazy(() => import('./boot.js'), 'bootCommand'),
  },
  {
    command: 'verify <output>',
    describe: 'inspect built media: boot records, label, MediaLabel.txt, checksum',
    positionals: { output: { type: 'string', demandOption: true } },
    run: lazy(() => import('./verify.js'), 'verifyCommand'),
  },
  {
    command: 'image',
    describe: 'captured image commands',
    demand: 'say which image command: verify, restore, info or convert',
    commands: [
      imageCommand('verify', 'check a captured image (folder or http(s) URL) against its manifest', 'imageVerifyCommand', {
        quick: { type: 'boolean', describe: 'compare sizes and hashes only; do not decompress' },
      }),
      imageCommand('restore', 'write a captured image back into a disk image file (no root needed)', 'imageRestoreCommand', {
        to: { type: 'string', demandOption: true, describe: 'disk image file to create' },
        force: { type: 'boolean', describe: 'replace an existing file once the restore succeeded' },
      }),
      imageCommand(
        'info',
        'show what a captured image holds: WIM images (name, partition, Windows edition) and raw parts',
        'imageInfoCommand',
      ),
      imageCommand(
        'convert',
        "write a captured image's WIM parts as one standard WIM (what DISM reads), e.g. after an http(s) capture",
        'imageConvertCommand',
        {
          to: { type: 'string', demandOption: true, describe: 'WIM file to create' },
          split: { type: 'string', describe: 'cut into .swm parts of at most this size, e.g. 3800MB (FAT32)' },
          force: { type: 'boolean', describe: 'replace existing output files once the new ones are complete' },
        },
      ),
    ],
  },
  { command: 'init', describe: 'write a starter capmedia.config.ts', run: lazy(() => import('./init.js'), 'initCommand') },
  { command: 'clean', describe: 'remove the cache and stale staging folders', run: lazy(() => import('./clean.js'), 'cleanCommand') },
  {
    command: 'cache',
    describe: 'cache commands',
    demand: 'say which cache command: stats',
    commands: [
      {
        command: 'stats',
        describe: 'hits, misses and bytes up/down of the last build (local and remote cache)',
        run: lazy(() => import('./cache.js'), 'cacheStatsCommand'),
      },
    ],
  },
  {
    command: 'outdated',
    describe: 'compare capmedia.lock with the latest versions on the distribution points',
    options: {
      'detailed-exitcode': { type: 'boolean', describe: 'exit 0 when nothing is newer, 2 when something is, 1 on error' },
    },
    run: lazy(() => import('./outdated.js'), 'outdatedCommand'),
  },
  {
    command: 'update [packages..]',
    describe: 'pin the latest versions (of all packages, or the named ones) in capmedia.lock',
    positionals: { packages: { type: 'string', array: true, describe: 'package IDs (default: every package of the config)' } },
    options: { 'dry-run': { type: 'boolean', describe: 'show old → new without writing the lock' } },
    run: lazy(() => import('./update.js'), 'updateCommand'),
  },
  {
    command: 'matrix',
    describe: "the config's media (name, type, outputs) for a CI matrix",
    run: lazy(() => import('./matrix.js'), 'matrixCommand'),
  },
  {
    command: 'schema',
    describe: "print the config's JSON Schema (for editors: $schema)",
    run: lazy(() => import('./schema.js'), 'schemaCommand'),
  },
];
