import test from 'ava';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO, runCli } from '../_helpers/cli.js';
import { mapPool } from '../../src/cache/pool.js';
import { LOCKFILE_VERSION, serializeLock } from '../../src/lock/lockfile.js';
import { indexPath } from '../../src/library/versions.js';

/**
 * examples/ci must keep working as the CLI changes: each file parses, and
 * every capmedia command line in it is accepted by the CLI's own parser
 * (CAPMEDIA_PARSE_ONLY: parsed, not run).
 */
// js-yaml comes with cosmiconfig; it has no bundled types.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const DIR = join(REPO, 'examples/ci');
const FILES = ['github-actions.yml', 'gitlab-ci.yml', 'kubernetes-indexed-job.yml', 'renovate.json'];

async function parsed(file: string): Promise<unknown> {
  const text = await readFile(join(DIR, file), 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** `npx capmedia …` up to the end of the shell command (a pipe, redirection, `&&`, `;` or `)`), outside quotes. */
export function capmediaCommands(text: string): string[][] {
  const script = substitute(text);
  const found: string[][] = [];
  for (const match of script.matchAll(/npx capmedia\s+/g)) {
    const words: string[] = [];
    let word = '';
    let quote = '';
    let i = match.index + match[0].length;
    for (; i < script.length; i++) {
      const c = script[i];
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (/[|;&)>\n]/.test(c)) break;
      else if (/\s/.test(c)) {
        if (word) words.push(word);
        word = '';
      } else word += c;
    }
    if (word) words.push(word);
    found.push(words);
  }
  return found;
}

/** CI variables and templates become sample values of the right shape. */
function substitute(word: string): string {
  return word
    .replace(/\$\{\{\s*matrix\.name\s*\}\}|\{\{\{depName\}\}\}|\$MEDIA/g, 'CM100007')
    .replace(/\$\(\([^)]*\)\)|\$\{\{[^}]*\}\}|\$\{?[A-Z_]+\}?/g, '1');
}

test('every example file parses and every capmedia command line in it is accepted by the CLI parser', async (t) => {
  const lines: Array<{ file: string; args: string[] }> = [];
  for (const file of FILES) {
    const commands = strings(await parsed(file)).flatMap(capmediaCommands);
    t.true(commands.length > 0, `${file} runs capmedia`);
    lines.push(...commands.map((args) => ({ file, args })));
  }
  const used = new Set(lines.map((l) => l.args[0]));
  for (const command of ['matrix', 'build', 'plan', 'outdated', 'update']) t.true(used.has(command), `the examples use ${command}`);
  const shards = lines.flatMap((l) => l.args.filter((_, i) => l.args[i - 1] === '--shard'));
  t.true(shards.length >= 3);
  for (const shard of shards) t.regex(shard, /^\d+\/\d+$/);
  const results = await mapPool(lines, 2, ({ args }) => runCli(args, { cwd: REPO, env: { CAPMEDIA_PARSE_ONLY: '1' } }));
  results.forEach((result, i) => t.is(result.exitCode, 0, `${lines[i].file}: capmedia ${lines[i].args.join(' ')}\n${result.all}`));
  // The check can fail: a flag the CLI does not know is refused in the same mode.
  const bogus = await runCli(['build', '--lockd'], { cwd: REPO, env: { CAPMEDIA_PARSE_ONLY: '1' } });
  t.is(bogus.exitCode, 2, bogus.all);
});

test('the extraction follows shell syntax', (t) => {
  t.deepEqual(capmediaCommands('echo "x=$(npx capmedia matrix --json | jq -c .)" >> out'), [['matrix', '--json']]);
  t.deepEqual(capmediaCommands('npx capmedia build --locked --shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS" && cp -r out/. /x'), [
    ['build', '--locked', '--shard', '1/1'],
  ]);
  t.deepEqual(capmediaCommands('npx capmedia plan --detailed-exitcode --json > plan.json; code=$?'), [
    ['plan', '--detailed-exitcode', '--json'],
  ]);
});

test('the Renovate manager finds every package version in a real capmedia.lock and the datasource reads the versions index', async (t) => {
  const renovate = (await parsed('renovate.json')) as any;
  const manager = renovate.customManagers[0];
  const lock = serializeLock({
    lockfileVersion: LOCKFILE_VERSION,
    packages: {
      CM100004: { version: '6.1.192-3', manifestSha256: 'a'.repeat(64), kind: 'bootimage', platform: 'linux', arch: 'x64', size: 5 },
      CM100007: { version: '2.0', manifestSha256: 'b'.repeat(64), kind: 'content', size: 12 },
    },
  });
  const pattern = new RegExp(manager.matchStrings[0], 'g');
  t.deepEqual(
    [...lock.matchAll(pattern)].map((m) => [m.groups!.depName, m.groups!.currentValue]),
    [
      ['CM100004', '6.1.192-3'],
      ['CM100007', '2.0'],
    ],
  );
  t.regex('capmedia.lock', new RegExp(manager.managerFilePatterns[0].slice(1, -1)));
  const url = renovate.customDatasources.capmedia.defaultRegistryUrlTemplate.replace('{{packageName}}', 'CM100007');
  t.true(url.endsWith(`/${indexPath('CM100007')}`));
});
