import test from 'ava';
import { runCli } from '../_helpers/cli.js';
import { freePort } from '../_helpers/nginx.js';
import { startFaultServer, type FaultServer } from '../_helpers/faultserver.js';
import { BOOT_ID } from '../_helpers/project.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { CapmediaError } from '../../src/errors/index.js';
import { createHttpFixture, USER, type HttpFixture } from './_fixture.js';

let f: HttpFixture;
let faults: FaultServer;
test.before(async () => {
  f = await createHttpFixture();
  faults = await startFaultServer(f.project.content);
});
test.after.always(async () => {
  await faults?.stop();
  await f?.cleanup();
});

const ENV = (): Record<string, string> => ({ DP01_PASSWORD: f.password, DP01_TOKEN: f.token, WRONG_PASSWORD: 'not-the-password' });
/** A second DP that has the manifest but lacks a blob: resolve succeeds through it, so verify must report both. */
const partial = () => ({ name: 'partial', url: `${f.nginx.url}/missing/` });

async function check(dp: Record<string, unknown>) {
  process.env.DP01_PASSWORD = f.password;
  process.env.DP01_TOKEN = f.token;
  return openDistributionPoint({ name: 'dp01', ...dp } as never).checkPackage(BOOT_ID);
}

test('checkPackage over http, https with the test CA, Basic auth and a Bearer token', async (t) => {
  t.is((await check({ url: `${f.nginx.url}/good/` })).status, 'ok');
  t.is((await check({ url: `${f.nginx.httpsUrl}/good/`, ca: f.nginx.caFile })).status, 'ok');
  t.is(
    (await check({ url: `${f.nginx.httpsUrl}/secure/`, ca: f.nginx.caFile, auth: { username: USER, passwordEnv: 'DP01_PASSWORD' } }))
      .status,
    'ok',
  );
  t.is((await check({ url: `${f.nginx.url}/token/`, auth: { tokenEnv: 'DP01_TOKEN' } })).status, 'ok');
});

test('checkPackage tells each failure class apart', async (t) => {
  const missing = await check({ url: `${f.nginx.url}/empty/` });
  t.is(missing.status, 'missing');
  const incomplete = await check({ url: `${f.nginx.url}/missing/` });
  t.is(incomplete.status, 'incomplete');
  t.deepEqual(incomplete.status === 'incomplete' ? incomplete.problems : [], [
    `boot/vmlinuz: blob ${f.victim.sha256.slice(0, 12)}… is missing`,
  ]);
  const anonymous = await check({ url: `${f.nginx.url}/secure/` });
  t.is(anonymous.status, 'no-permission');
  t.regex(anonymous.status === 'no-permission' ? anonymous.reason : '', /No Read permission for anonymous on dp01: .* answered 401/);
  const forbidden = await check({ url: `${f.nginx.url}/forbidden/` });
  t.regex(
    forbidden.status === 'no-permission' ? forbidden.reason : '',
    /No Read permission for anonymous on dp01: .* answered 403 Forbidden/,
  );
  const untrusted = await check({ url: `${f.nginx.httpsUrl}/good/` });
  t.is(untrusted.status, 'unreachable');
  t.regex(untrusted.status === 'unreachable' ? untrusted.reason : '', /TLS certificate is not trusted/);
});

test('secrets are never inline: a URL with a password is refused without echoing it; a missing variable is named', (t) => {
  const inline = t.throws(() => openDistributionPoint({ name: 'dp01', url: `https://${USER}:${f.password}@127.0.0.1/x/` }), {
    instanceOf: CapmediaError,
  });
  t.is(inline!.code, 'CONFIG_INVALID');
  t.false(inline!.message.includes(f.password));
  delete process.env.CAPMEDIA_TEST_UNSET;
  const unset = t.throws(
    () =>
      openDistributionPoint({ name: 'dp01', url: 'https://127.0.0.1/x/', auth: { username: USER, passwordEnv: 'CAPMEDIA_TEST_UNSET' } }),
    { instanceOf: CapmediaError },
  );
  t.is(unset!.code, 'AUTH_MISSING');
  t.regex(unset!.message, /CAPMEDIA_TEST_UNSET.*not set/);
});

/** Each class through the real CLI: exit 1, verify fails, and the message names the class and the DP. */
async function failingBuild(t: import('ava').ExecutionContext, bad: Record<string, unknown>, expected: RegExp) {
  await f.project.writeConfig({ distributionPoints: [{ name: 'dp01', ...bad }, partial()] });
  const result = await runCli(['build'], { cwd: f.project.dir, env: ENV() });
  t.is(result.exitCode, 1, result.all);
  // The per-DP subtask reports its class as it finishes, and the failure lists every DP.
  t.regex(result.stdout, new RegExp(`dp01: CM100004 ${expected.source.split('CM100004 ')[1]}`));
  t.regex(result.stderr, /No distribution point can serve CM100004 completely/);
  t.regex(result.stderr, expected);
  t.regex(result.stderr, /partial \(.*\): CM100004 incomplete: boot\/vmlinuz: blob [0-9a-f]{12}… is missing/);
}

test.serial('build: a package absent from the DP reads "missing"', async (t) => {
  await failingBuild(
    t,
    { url: `${f.nginx.url}/empty/` },
    /dp01 \(.*\): CM100004 missing: Package CM100004 is not on distribution point dp01/,
  );
});

test.serial('build: a wrong password reads "no Read permission for <user> on <dp>", not "missing"', async (t) => {
  await failingBuild(
    t,
    { url: `${f.nginx.httpsUrl}/secure/`, ca: f.nginx.caFile, auth: { username: USER, passwordEnv: 'WRONG_PASSWORD' } },
    /dp01 \(.*\): CM100004 no Read permission for svc-media on dp01: .*401 Unauthorized/,
  );
});

test.serial('build: a 403 reads "no Read permission"', async (t) => {
  await failingBuild(
    t,
    { url: `${f.nginx.url}/forbidden/` },
    /dp01 \(.*\): CM100004 no Read permission for anonymous on dp01: .*403 Forbidden/,
  );
});

test.serial('build: a refused connection reads "unreachable"', async (t) => {
  await failingBuild(
    t,
    { url: `http://127.0.0.1:${await freePort()}/lib/` },
    /dp01 \(.*\): CM100004 unreachable: .*connection was refused/,
  );
});

test.serial('build: an unknown host reads "unreachable" (DNS)', async (t) => {
  await failingBuild(t, { url: 'http://capmedia-test.invalid/lib/' }, /dp01 \(.*\): CM100004 unreachable: .*does not resolve \(DNS\)/);
});

test.serial('build: a server that never answers reads "unreachable" after the timeout', async (t) => {
  const started = Date.now();
  await failingBuild(
    t,
    { url: faults.url('hang'), timeouts: { connect: 1, stall: 1 } },
    /dp01 \(.*\): CM100004 unreachable: .*did not answer .* within 1 s/,
  );
  t.true(Date.now() - started < 30_000);
});

test.serial('build: an untrusted certificate reads "unreachable" and says how to trust it', async (t) => {
  await failingBuild(t, { url: `${f.nginx.httpsUrl}/good/` }, /dp01 \(.*\): CM100004 unreachable: .*TLS certificate is not trusted/);
});
