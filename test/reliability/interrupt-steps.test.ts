import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultServer, type FaultServer } from '../_helpers/faultserver.js';
import { baseConfig } from '../_helpers/config.js';
import { createProject, publishLargePackage, type TestProject } from '../_helpers/project.js';
import { leftovers } from './_harness.js';
import { startCli, timeToExit } from './_spawn.js';

/**
 * Every step honours SIGTERM within a second, whatever it is doing: waiting
 * on a server that never answers, fetching from one that stalls, running
 * xorriso, hashing an image. Each test stops a build during one step.
 */
const WITHIN_MS = 1000;
/** Starting to exit is what the step controls; writing the message and leaving Node adds a little, more on a loaded CI box. */
const SLACK_MS = 500;

let project: TestProject;
let server: FaultServer;

test.before(async () => {
  project = await createProject();
  await publishLargePackage(project, 'CM300001', 16);
  server = await startFaultServer(project.content);
});
test.after.always(async () => {
  await server?.stop();
  await project?.cleanup();
});

interface Step {
  step: string;
  /** The step's title in the task list: it must not be done when the signal is sent. */
  title: string;
  /** Seen in the output once the step is under way. */
  running: RegExp;
  /** How long to let it run before the signal. */
  afterMs: number;
  config: (dir: string) => Record<string, unknown>;
}

const withCache = (dir: string, extra: Record<string, unknown>) => ({ ...baseConfig(), cache: { dir: join(dir, 'cache') }, ...extra });
const fileDp = { distributionPoints: [{ name: 'local', url: 'file:PLACEHOLDER' }] };
const iso = (extra: Record<string, unknown> = {}) => ({ type: 'iso', file: 'out/capture.iso', staging: './staging', ...extra });

const STEPS: Step[] = [
  {
    title: 'resolve content',
    step: 'resolve content (a server that never answers)',
    running: /resolve content/,
    afterMs: 500,
    config: (dir) => withCache(dir, { distributionPoints: [{ name: 'h', url: server.url('hang') }], media: iso() }),
  },
  {
    title: 'verify distribution',
    step: 'verify distribution (blob checks that never return)',
    running: /check every distribution point/,
    afterMs: 500,
    config: (dir) => withCache(dir, { distributionPoints: [{ name: 'h', url: server.url('hangfiles') }], media: iso() }),
  },
  {
    title: 'stage',
    step: 'stage (a download that stalls)',
    running: /❯ stage|stage\b.*\n/,
    afterMs: 1000,
    config: (dir) =>
      withCache(dir, { distributionPoints: [{ name: 'h', url: server.url('stall'), timeouts: { stall: 120 } }], media: iso() }),
  },
  {
    title: 'format/pack',
    step: 'format/pack (xorriso writing)',
    running: /❯ format\/pack/,
    afterMs: 300,
    config: (dir) => withCache(dir, { ...fileDp, content: ['CM300001'], media: iso() }),
  },
  {
    title: 'split',
    step: 'split (volumes being written)',
    running: /❯ split/,
    afterMs: 300,
    config: (dir) => withCache(dir, { ...fileDp, content: ['CM300001'], media: iso({ size: '60MB' }) }),
  },
  {
    title: 'label',
    step: 'label (hashing a large USB image)',
    running: /❯ label/,
    afterMs: 200,
    config: (dir) =>
      withCache(dir, {
        ...fileDp,
        content: ['CM300001'],
        media: { type: 'usb', device: 'out/capture.iso', imageSize: '3GiB', staging: './staging' },
      }),
  },
];

for (const { step, title, running, afterMs, config } of STEPS) {
  test.serial(`SIGTERM during ${step}: exit 130 within a second, nothing partial, old output intact`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'capmedia-sigterm-'));
    try {
      await mkdir(join(dir, 'out'), { recursive: true });
      await writeFile(join(dir, 'out/capture.iso'), 'old output');
      const text = JSON.stringify(config(dir)).replace('file:PLACEHOLDER', `file:${project.content}`);
      await writeFile(join(dir, 'capmedia.config.json'), text);
      const build = startCli(['build'], dir);
      await build.reached(running);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      t.is(build.child.exitCode, null, `the build ended before the signal:\n${build.output()}`);
      t.false(build.output().includes(`✔ ${title}`), `${title} was done before the signal:\n${build.output()}`);
      const { ms, exitCode } = await timeToExit(build, 'SIGTERM');
      t.is(exitCode, 130, build.output());
      t.true(ms < WITHIN_MS + SLACK_MS, `took ${ms} ms to stop:\n${build.output()}`);
      t.regex(build.output(), /stopping… previous outputs stay untouched/);
      t.is(await readFile(join(dir, 'out/capture.iso'), 'utf8'), 'old output');
      t.deepEqual(await leftovers(dir, { resumable: true }), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
