import { fail } from '../errors/index.js';
import type { CapmediaPlugin } from './api.js';

/*
 * A plugin is code the config imports: a missing or mistyped member would
 * otherwise surface mid-build as "x is not a function". Every contribution is
 * checked against its interface when the registry is made, before any work.
 */

/** What a member must be (`what`, for messages) and what is wrong with a value: "is 1, not a function", or undefined. */
interface Rule {
  what: string;
  check(value: unknown): string | undefined;
}

const is = (ok: (v: unknown) => boolean, what: string): Rule => ({
  what,
  check: (value) => (ok(value) ? undefined : `is ${describe(value)}, not ${what}`),
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const fn = is((v) => typeof v === 'function', 'a function');
const text = is((v) => typeof v === 'string' && v.length > 0, 'a non-empty string');
const flag = is((v) => typeof v === 'boolean', 'true or false');
const texts = is((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'an array of strings');
const protocols = is(
  (v) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && /^[a-z][a-z0-9+.-]*:$/.test(s)),
  'a non-empty array of URL protocols with the colon, e.g. ["s3:"]',
);
/** A zod raw shape: an object whose values are zod schemas (the plugin may bring the zod that `capmedia` exports, or its own). */
const zodShape = is(
  (v) => isObject(v) && Object.values(v).every((s) => isObject(s) && typeof (s as { safeParse?: unknown }).safeParse === 'function'),
  'a zod raw shape: an object of zod schemas, e.g. { dir: z.string().optional() }',
);
/** An object with members of its own: its problems are listed in brackets. */
const members = (what: string, required: Record<string, Rule>, optional: Record<string, Rule> = {}): Rule => ({
  what,
  check: (value) => {
    if (!isObject(value)) return `is ${describe(value)}, not ${what}`;
    const problems = memberProblems(value, required, optional);
    return problems.length ? `is not valid (${problems.join('; ')})` : undefined;
  },
});

const mediaOutput = members('an object { key, kind, help, example }', {
  key: text,
  kind: is((v) => v === 'file' || v === 'folder', '"file" or "folder"'),
  help: text,
  example: text,
});

const MEDIA_TYPE = {
  required: { name: text, options: zodShape, output: mediaOutput, cacheInputs: fn, pack: fn },
  optional: {
    nameRules: members('an object { fileSystem, problem }', { fileSystem: text, problem: fn }),
    checkOptions: fn,
    spansVolumes: flag,
    packsFromStore: flag,
    inspect: fn,
    outputDigest: fn,
    writesDevice: fn,
    checkContent: fn,
    checkTarget: fn,
    partialOutput: fn,
    estimateSize: fn,
    publish: fn,
    recordsPath: fn,
  },
};

const BOOT_PLATFORM = {
  required: { name: text, requiredFiles: texts, incompleteHint: text, isoBoot: fn },
  optional: {
    caseInsensitivePaths: flag,
    kernelBoot: members('an object { kernel, initrd, cmdline, mediaInitrd }', {
      kernel: text,
      initrd: text,
      cmdline: is((v) => typeof v === 'string', 'a string'),
      mediaInitrd: members('an object { folder, cmdline }', { folder: text, cmdline: text }),
    }),
    fatBoot: members(
      'an object { uefiLoader, syslinuxDirectory?, addToTree? }',
      { uefiLoader: text },
      { syslinuxDirectory: text, addToTree: fn },
    ),
    prepareContent: fn,
    version: text,
    forArch: fn,
  },
};

const SCHEME = { required: { name: text, protocols, open: fn }, optional: {} };

function memberProblems(value: Record<string, unknown>, required: Record<string, Rule>, optional: Record<string, Rule>): string[] {
  const problems: string[] = [];
  for (const [key, rule] of Object.entries(required)) {
    const problem = value[key] === undefined ? `is missing (${rule.what})` : rule.check(value[key]);
    if (problem) problems.push(`${key} ${problem}`);
  }
  for (const [key, rule] of Object.entries(optional)) {
    const problem = value[key] === undefined ? undefined : rule.check(value[key]);
    if (problem) problems.push(`${key} ${problem}`);
  }
  return problems;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'function' ? 'a function' : `${typeof value} ${String(value)}`}`;
}

/** Refuses the first plugin contribution that does not fit its interface, naming plugin, contribution and members. */
export function validatePlugin(plugin: CapmediaPlugin): void {
  const name = JSON.stringify(plugin.name);
  const kinds = [
    ['mediaTypes', 'media type', MEDIA_TYPE, 'MediaType'],
    ['bootPlatforms', 'boot platform', BOOT_PLATFORM, 'BootPlatform'],
    ['distributionPointSchemes', 'distribution point scheme', SCHEME, 'DistributionPointScheme'],
  ] as const;
  for (const [list, what, spec, type] of kinds) {
    const items: unknown = plugin[list];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      throw fail('pluginListInvalid', { plugin: name, list, found: describe(items), what, type });
    }
    items.forEach((item: unknown, index) => {
      const label = isObject(item) && typeof item.name === 'string' ? JSON.stringify(item.name) : `#${index + 1}`;
      if (!isObject(item)) throw fail('pluginMemberNotObject', { plugin: name, what, label, found: describe(item), type });
      const problems = memberProblems(item, spec.required, spec.optional);
      if (problems.length) throw fail('pluginMemberInvalid', { plugin: name, what, label, problems, type });
    });
  }
}
