import test from 'ava';
import { access, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, REPO } from '../_helpers/cli.js';
import { baseConfig, createProject, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';
import { bootOverNetworkUnderQemu } from '../../src/tools/qemu.js';
import { loadConfig } from '../../src/config/load.js';
import { CapmediaError } from '../../src/errors/index.js';

// The netboot media type lives outside src/ and reaches capmedia only through its public API ('capmedia').
const PLUGIN = pathToFileURL(join(REPO, 'examples/plugins/netboot/index.ts')).href;
const TS_NAME = 'Capture over the Network';
const TIMEOUT_MS = 180_000;

/** A TypeScript config, as a user writes it: imports capmedia and the plugin, then lists it under plugins. */
async function writeTsConfig(dir: string, media: Record<string, unknown>, plugins = 'netboot()'): Promise<void> {
  const config = {
    ...baseConfig(),
    taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
    media,
  };
  const text = [
    `import { defineConfig } from 'capmedia';`,
    `import { netboot } from ${JSON.stringify(PLUGIN)};`,
    '',
    `export default defineConfig({ ...${JSON.stringify(config)}, plugins: [${plugins}] });`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'capmedia.config.ts'), text);
}

let project: TestProject;
let folder: string;
test.before(async () => {
  project = await createProject();
  folder = join(project.dir, 'out/netboot');
});
test.after.always(async () => project?.cleanup());

test.serial('plugins: [netboot()] builds a network boot folder; a rebuild replaces it whole', async (t) => {
  await writeTsConfig(project.dir, { type: 'netboot', dir: 'out/netboot', label: 'First', staging: './staging' });
  const first = await runCli(['build'], { cwd: project.dir });
  t.is(first.exitCode, 0, first.all);
  await writeFile(join(folder, 'left-behind.txt'), 'not ours');
  await writeTsConfig(project.dir, { type: 'netboot', dir: 'out/netboot', label: 'Network Capture', staging: './staging' });
  const second = await runCli(['build'], { cwd: project.dir });
  t.is(second.exitCode, 0, second.all);
  const files = await readdir(folder, { recursive: true });
  for (const name of ['boot.ipxe', 'vmlinuz', 'initrd.img', 'capmedia-media.cpio', 'pxelinux.cfg/default', 'grub/grub.cfg', 'SHA256SUMS'])
    t.true(files.includes(name), `${name} in ${files.join(', ')}`);
  t.false(files.includes('left-behind.txt'), 'the previous folder was replaced, not written into');
  const ipxe = await readFile(join(folder, 'boot.ipxe'), 'utf8');
  t.regex(ipxe, /^#!ipxe\n/);
  t.regex(ipxe, /capmedia\.media=\/capmedia\/media/);
  await access(join(project.dir, 'out/netboot.sha256'));
  const manifest = JSON.parse(await readFile(join(project.dir, 'out/netboot.manifest.json'), 'utf8'));
  t.is(manifest.type, 'netboot');
  t.is(manifest.label, 'Network Capture');
  const again = await runCli(['build'], { cwd: project.dir });
  t.is(again.exitCode, 0, again.all);
  t.regex(again.stdout, /up to date/, 'unchanged inputs and an intact folder: nothing to do');
  await rm(join(folder, 'grub/grub.cfg'));
  const repaired = await runCli(['build'], { cwd: project.dir });
  t.is(repaired.exitCode, 0, repaired.all);
  t.notRegex(repaired.stdout, /up to date/);
  await access(join(folder, 'grub/grub.cfg'));
});

test.serial('capmedia verify --config inspects the folder through the plugin', async (t) => {
  const ok = await runCli(['verify', 'out/netboot', '--config', 'capmedia.config.ts', '--json'], { cwd: project.dir });
  t.is(ok.exitCode, 0, ok.all);
  const report = JSON.parse(ok.stdout);
  t.is(report.taskSequence, TS_NAME);
  t.is(report.mediaLabel, 'Network Capture');
  t.is(report.checksum, 'ok');
  // Negative control: a damaged file fails verify.
  const kernel = join(folder, 'vmlinuz');
  const original = await readFile(kernel);
  await writeFile(kernel, Buffer.concat([original, Buffer.from('x')]));
  t.teardown(() => writeFile(kernel, original));
  const bad = await runCli(['verify', 'out/netboot', '--config', 'capmedia.config.ts'], { cwd: project.dir });
  t.is(bad.exitCode, 1, bad.all);
  t.regex(bad.all, /vmlinuz does not match SHA256SUMS/);
  await writeFile(kernel, original);
});

test.serial('the folder boots over PXE (SeaBIOS + iPXE, TFTP) and the boot image finds its task sequence in RAM', async (t) => {
  const result = await bootOverNetworkUnderQemu({
    tftpDir: folder,
    bootfile: 'boot.ipxe',
    successMarker: /CAPMEDIA-TASKSEQUENCE name=.*/,
    failureMarker: /CAPMEDIA-MEDIA-NOT-FOUND|CAPMEDIA-TASKSEQUENCE-INVALID|Kernel panic/,
    timeoutMs: TIMEOUT_MS,
  });
  t.is(result.outcome, 'success', markerLines(result.serial).join('\n') || result.serial.slice(-3000));
  t.regex(result.serial, /CAPMEDIA-BOOT-OK firmware=BIOS/);
  t.regex(result.serial, /CAPMEDIA-MEDIA-FOUND device=initramfs/);
  t.true(result.serial.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`), markerLines(result.serial).join('\n'));
  t.log(`PXE boot: ${(result.durationMs / 1000).toFixed(1)} s`);
});

test.serial('a netboot entry without dir, or without the plugin, is a config error naming the key', async (t) => {
  await writeTsConfig(project.dir, { type: 'netboot', staging: './staging' });
  const noDir = await t.throwsAsync(loadConfig({ cwd: project.dir }), { instanceOf: CapmediaError });
  t.is(noDir.code, 'CONFIG_INVALID');
  t.regex(noDir.message, /media\.dir: nothing is not allowed: network boot media need media\.dir/);
  await writeTsConfig(project.dir, { type: 'netboot', dir: 'out/netboot', imageSize: '1GB' });
  const foreign = await t.throwsAsync(loadConfig({ cwd: project.dir }), { instanceOf: CapmediaError });
  t.regex(foreign.message, /media\.imageSize: "1GB" is not allowed on netboot media: imageSize applies to media\.type "usb" only/);
  await writeTsConfig(project.dir, { type: 'netboot', dir: 'out/netboot' }, '');
  const cli = await runCli(['build'], { cwd: project.dir });
  t.is(cli.exitCode, 2, cli.all);
  t.regex(cli.all, /media\.type: "netboot" is not allowed: expected one of "iso", "usb"/);
});
