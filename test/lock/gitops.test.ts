import test from 'ava';
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID, type TestProject } from '../_helpers/project.js';
import { startNginx, type Nginx } from '../_helpers/nginx.js';
import { tempFolder, withTempFolder } from '../_helpers/temp.js';

/**
 * The GitOps refresh loop end to end, against a real nginx (WebDAV) DP and a
 * file: DP: build pins, a new version shows as outdated but changes nothing
 * until `update`, the media say what they carry.
 */
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const PKG = 'CM100007';
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let project: TestProject;
let nginx: Nginx;
let served: string;
let firstIso: string;
let secondIso: string;

/** Makes `dir` a package folder holding one readme.txt. */
async function contentFolder(dir: string, text: string): Promise<string> {
  await writeFile(join(dir, 'readme.txt'), text);
  return dir;
}

const cli = (args: string[]) => runCli(args, { cwd: project.dir, env: EPOCH });
const lockText = () => readFile(join(project.dir, 'capmedia.lock'), 'utf8');
const iso = () => join(project.dir, 'out/capture.iso');
const config = (overrides: Record<string, unknown> = {}) =>
  project.writeConfig({
    distributionPoints: [
      { name: 'dp01', url: `${nginx.url}/lib/` },
      { name: 'local', url: 'file:./content' },
    ],
    content: [PKG],
    ...overrides,
  });

test.before(async () => {
  project = await createProject();
  await withTempFolder('capmedia-pkg-', async (dir) => project.publish(await contentFolder(dir, 'version one\n'), PKG, { version: '1.0' }));
  served = join(project.dir, 'served');
  await cp(project.content, served, { recursive: true });
  nginx = await startNginx([{ path: '/lib/', root: served, dav: true }]);
});
test.after.always(async () => {
  await nginx?.stop();
  await project?.cleanup();
});

test.serial(
  'build writes capmedia.lock: sorted, LF, lockfileVersion, id/version/manifest sha256/kind/platform/arch/size, no DP names',
  async (t) => {
    await config();
    const result = await cli(['build']);
    t.is(result.exitCode, 0, result.all);
    t.regex(result.stdout, /capmedia\.lock written \(2 package\(s\)\)/);
    const text = await lockText();
    t.true(text.endsWith('}\n'));
    t.false(text.includes('\r'));
    const lock = JSON.parse(text);
    t.is(lock.lockfileVersion, 1);
    t.deepEqual(Object.keys(lock.packages), [BOOT_ID, PKG]);
    t.deepEqual(Object.keys(lock.packages[BOOT_ID]), ['arch', 'kind', 'manifestSha256', 'platform', 'size', 'version']);
    t.like(lock.packages[BOOT_ID], { kind: 'bootimage', platform: 'linux', arch: 'x64' });
    t.like(lock.packages[PKG], { kind: 'content', version: '1.0', size: 12 });
    const manifest = await readFile(join(project.content, `packages/${PKG}.json`));
    t.is(lock.packages[PKG].manifestSha256, sha(manifest), 'the hash of the manifest bytes as published');
    for (const leak of ['dp01', 'local', '127.0.0.1', 'file:']) t.false(text.includes(leak), `${leak} in the lock`);
    firstIso = sha(await readFile(iso()));
    // The version is kept immutably by hash, and in the versions index.
    const index = JSON.parse(await readFile(join(served, `packages/${PKG}/index.json`), 'utf8'));
    t.deepEqual(
      index.versions.map((v: { version: string; manifestSha256: string }) => [v.version, v.manifestSha256]),
      [['1.0', sha(manifest)]],
    );
  },
);

test.serial(
  'publish 2.0 → outdated exit 2 naming it; plan 0 (pinned); build --locked from an empty cache gives the same bytes',
  async (t) => {
    const two = await contentFolder(await tempFolder(t, 'capmedia-pkg-'), 'version two!\n');
    await project.publish(two, PKG, { version: '2.0' });
    const put = await cli(['distribute', two, '--package', PKG, '--package-version', '2.0', '--to', `${nginx.url}/lib/`]);
    t.is(put.exitCode, 0, put.all);
    const lockBefore = await lockText();

    const outdated = await cli(['outdated', '--detailed-exitcode']);
    t.is(outdated.exitCode, 2, outdated.all);
    t.regex(outdated.stdout, new RegExp(`${PKG}\\s+1\\.0\\s+2\\.0\\s+dp01`));
    t.regex(outdated.stdout, new RegExp(`${BOOT_ID}\\s+(\\S+)\\s+\\1 \\(up to date\\)`));
    const json = JSON.parse((await cli(['outdated', '--json'])).stdout);
    t.deepEqual(
      json.packages.filter((p: { outdated: boolean }) => p.outdated).map((p: any) => [p.id, p.locked.version, p.latest.version]),
      [[PKG, '1.0', '2.0']],
    );

    const plan = await cli(['plan', '--detailed-exitcode']);
    t.is(plan.exitCode, 0, plan.all);
    t.regex(plan.stdout, /up to date: build would do nothing/);
    t.notRegex(plan.stdout, /would change/);

    // An empty cache: the pinned 1.0 manifest comes by its hash from the DP (its "latest" is 2.0 now).
    await config({ cache: { dir: './cache-empty' } });
    const locked = await cli(['build', '--locked']);
    t.is(locked.exitCode, 0, locked.all);
    t.is(sha(await readFile(iso())), firstIso, 'byte-identical to the first build');
    t.is(await lockText(), lockBefore, '--locked never writes the lock');
    const access = await readFile(join(nginx.dir, 'access.log'), 'utf8');
    t.regex(access, new RegExp(`GET /lib/packages/${PKG}/[0-9a-f]{64}\\.json HTTP/1\\.1" 200`));
  },
);

test.serial(
  'update → lock at 2.0; plan exit 2 naming the media and why; the rebuild carries 2.0, verify --json says so; then plan 0',
  async (t) => {
    const dry = await cli(['update', '--dry-run']);
    t.is(dry.exitCode, 0, dry.all);
    t.regex(dry.stdout, new RegExp(`${PKG} 1\\.0 → 2\\.0`));
    t.is(JSON.parse(await lockText()).packages[PKG].version, '1.0', '--dry-run writes nothing');

    const update = await cli(['update', PKG]);
    t.is(update.exitCode, 0, update.all);
    t.regex(update.stdout, new RegExp(`${PKG} 1\\.0 → 2\\.0`));
    const lock = JSON.parse(await lockText());
    t.is(lock.packages[PKG].version, '2.0');

    const plan = await cli(['plan', '--detailed-exitcode']);
    t.is(plan.exitCode, 2, plan.all);
    t.regex(plan.stdout, new RegExp(`default \\(iso\\)[\\s\\S]*would change: package ${PKG} 1\\.0 \\([0-9a-f]{12}\\) → 2\\.0`));
    const planJson = JSON.parse((await cli(['plan', '--json'])).stdout);
    t.like(planJson, { planVersion: 1, changes: true });
    t.deepEqual(
      planJson.media.map((m: { name: string; action: string }) => [m.name, m.action]),
      [['default', 'build']],
    );

    const build = await cli(['build', '--locked']);
    t.is(build.exitCode, 0, build.all);
    const verify = await cli(['verify', iso(), '--json']);
    t.is(verify.exitCode, 0, verify.all);
    const report = JSON.parse(verify.stdout);
    t.is(report.content.lockDigest, sha(await lockText()));
    t.deepEqual(
      report.content.packages.map((p: { id: string; version: string; manifestSha256: string }) => [p.id, p.version, p.manifestSha256]),
      [
        [BOOT_ID, lock.packages[BOOT_ID].version, lock.packages[BOOT_ID].manifestSha256],
        [PKG, '2.0', lock.packages[PKG].manifestSha256],
      ],
    );
    const beside = JSON.parse(await readFile(`${iso()}.manifest.json`, 'utf8'));
    t.is(beside.lockDigest, report.content.lockDigest);
    t.deepEqual(beside.packages, report.content.packages);

    secondIso = sha(await readFile(iso()));
    const after = await cli(['plan', '--detailed-exitcode']);
    t.is(after.exitCode, 0, after.all);
  },
);

test.serial(
  'a package in the config but not in the lock: build --locked exits 2 naming it, the lock unchanged; no lock at all: exit 2',
  async (t) => {
    await withTempFolder('capmedia-pkg-', async (dir) => project.publish(await contentFolder(dir, 'another\n'), 'CM100008'));
    await config({ content: [PKG, 'CM100008'] });
    const before = await lockText();
    const result = await cli(['build', '--locked']);
    t.is(result.exitCode, 2, result.all);
    t.regex(result.stderr, /CM100008: in the config, not in .*capmedia\.lock/);
    t.is(await lockText(), before);

    await rename(join(project.dir, 'capmedia.lock'), join(project.dir, 'lock.bak'));
    try {
      const missing = await cli(['build', '--locked']);
      t.is(missing.exitCode, 2, missing.all);
      t.regex(missing.stderr, /--locked needs .*capmedia\.lock, which does not exist/);
      const detailed = await cli(['plan', '--detailed-exitcode', '--config', 'nope.json']);
      t.is(detailed.exitCode, 1, 'with --detailed-exitcode every error is 1, never the 2 of "would change"');
    } finally {
      await rename(join(project.dir, 'lock.bak'), join(project.dir, 'capmedia.lock'));
    }
  },
);

test.serial('a pinned version no DP has any more: exit 1 naming package, version and the DPs asked, hint capmedia update', async (t) => {
  await config();
  const original = await lockText();
  const lock = JSON.parse(original);
  lock.packages[PKG] = { ...lock.packages[PKG], version: '0.9', manifestSha256: 'e'.repeat(64) };
  await writeFile(join(project.dir, 'capmedia.lock'), `${JSON.stringify(lock, null, 2)}\n`);
  try {
    const result = await cli(['build', '--locked']);
    t.is(result.exitCode, 1, result.all);
    t.regex(result.stderr, new RegExp(`Package ${PKG} version 0\\.9 \\(manifest sha256 e{64}\\)`));
    t.regex(result.stderr, /dp01 \(http:\/\/127\.0\.0\.1:\d+\/lib\/\): does not have it/);
    t.regex(result.stderr, /local \(file:\/\/.*\): does not have it/);
    t.regex(result.stderr, new RegExp(`hint: Run \`capmedia update ${PKG}\``));
  } finally {
    await writeFile(join(project.dir, 'capmedia.lock'), original);
  }
});

test.serial('a pinned manifest copy that does not hash to its name is refused; the next DP serves the version', async (t) => {
  await config();
  const pin = JSON.parse(await lockText()).packages[PKG].manifestSha256;
  const copy = join(served, `packages/${PKG}/${pin}.json`);
  const original = await readFile(copy, 'utf8');
  await writeFile(copy, original.replace('"readme.txt"', '"readme.txt "'));
  try {
    const result = await cli(['build', '--locked', '--force']);
    t.is(result.exitCode, 0, result.all);
    t.regex(
      result.stdout,
      new RegExp(
        `dp01: ${PKG} unreachable: packages/${PKG}/${pin}\\.json on dp01 hashes to [0-9a-f]{64}, not to the sha256 its name promises`,
      ),
    );
    t.is(sha(await readFile(iso())), secondIso, 'the same 2.0 media, from the file: DP');
  } finally {
    await writeFile(copy, original);
  }
});

test.serial('a library published before versions were kept (no index, no copies by hash) still builds, unlocked and locked', async (t) => {
  await rm(join(project.content, 'packages', PKG), { recursive: true });
  await rm(join(project.content, 'packages', BOOT_ID), { recursive: true });
  await config({ distributionPoints: [{ name: 'local', url: 'file:./content' }], cache: { dir: './cache-old' } });
  await rm(join(project.dir, 'capmedia.lock'));
  const unlocked = await cli(['build']);
  t.is(unlocked.exitCode, 0, unlocked.all);
  t.is(JSON.parse(await lockText()).packages[PKG].version, '2.0');
  const locked = await cli(['build', '--locked', '--force']);
  t.is(locked.exitCode, 0, locked.all);
});

test.serial('a USB image says what it carries too (verify reads SMS/data/MediaContent.json from the FAT volume)', async (t) => {
  await config({
    distributionPoints: [{ name: 'local', url: 'file:./content' }],
    media: { type: 'usb', device: 'out/capture.img', staging: './staging' },
  });
  const build = await cli(['build', '--locked']);
  t.is(build.exitCode, 0, build.all);
  const verify = await cli(['verify', 'out/capture.img', '--json']);
  t.is(verify.exitCode, 0, verify.all);
  const { content } = JSON.parse(verify.stdout);
  t.is(content.lockDigest, sha(await lockText()));
  t.deepEqual(
    content.packages.map((p: { id: string; version: string }) => [p.id, p.version]),
    [
      [BOOT_ID, JSON.parse(await lockText()).packages[BOOT_ID].version],
      [PKG, '2.0'],
    ],
  );
});
