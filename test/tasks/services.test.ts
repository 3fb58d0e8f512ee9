import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load.js';
import { createBuildContext } from '../../src/tasks/context.js';
import { DEFAULT_SOURCE_DATE_EPOCH } from '../../src/epoch.js';
import type { Exec } from '../../src/tools/exec.js';
import { baseConfig } from '../_helpers/config.js';

function contextWith(cacheDir: string, options: Partial<Parameters<typeof createBuildContext>[1]> = {}) {
  const calls: string[] = [];
  const exec: Exec = async (file) => {
    calls.push(file);
    return { stdout: `${file} 1.2.3`, stderr: '' };
  };
  const config = validateConfig({ ...baseConfig(), cache: { dir: cacheDir } }, '/nonexistent/project');
  return { ctx: createBuildContext(config, { exec, env: {}, ...options }), calls };
}

test('the services carry the epoch as a number and pin it, with UTC and the C locale, for every tool', (t) => {
  const { ctx } = contextWith('/nonexistent/cache', { env: { SOURCE_DATE_EPOCH: '1764000000' } });
  t.is(ctx.services.sourceDateEpoch, 1_764_000_000);
  t.deepEqual(ctx.services.toolEnv, { SOURCE_DATE_EPOCH: '1764000000', TZ: 'UTC', LC_ALL: 'C' });
  t.is(
    contextWith('/nonexistent/cache', { env: { SOURCE_DATE_EPOCH: 'yesterday' } }).ctx.services.sourceDateEpoch,
    DEFAULT_SOURCE_DATE_EPOCH,
  );
});

test('the clock is injected: what a build records as "now" comes from it', (t) => {
  const fixed = new Date('2026-12-01T12:00:00Z');
  t.is(contextWith('/nonexistent/cache', { now: () => fixed }).ctx.services.now(), fixed);
});

test('tool versions are probed once per build, however many media ask', async (t) => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'capmedia-services-'));
  try {
    const { ctx, calls } = contextWith(cacheDir);
    const first = await ctx.services.toolIds();
    t.is(first.xorriso, 'xorriso 1.2.3');
    t.is(calls.length, Object.keys(first).length, 'each tool once (a fresh cache folder knows none)');
    t.deepEqual(await ctx.services.toolIds(), first);
    t.is(calls.length, Object.keys(first).length, 'no second probe');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('confirmation: --yes confirms; without it the prompt decides; with neither, no', async (t) => {
  t.true(await contextWith('/nonexistent/cache', { assumeYes: true }).ctx.services.confirm('write /dev/sdz?'));
  t.false(await contextWith('/nonexistent/cache', { ask: async () => false }).ctx.services.confirm('write /dev/sdz?'));
  t.true(await contextWith('/nonexistent/cache', { ask: async () => true }).ctx.services.confirm('write /dev/sdz?'));
  t.false(await contextWith('/nonexistent/cache').ctx.services.confirm('write /dev/sdz?'));
});
