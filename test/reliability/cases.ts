import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_ID } from '../_helpers/config.js';
import { SECRET, workingConfig, type BadInput, type CaseDir } from './_harness.js';

const iso = (extra: Record<string, unknown> = {}) => ({ type: 'iso', file: 'out/capture.iso', staging: './staging', ...extra });
const media = (extra: Record<string, unknown>) => ({ media: iso(extra) });
const two = (a: Record<string, unknown>, b: Record<string, unknown>) => ({
  media: [iso({ name: 'a', file: 'out/a.iso', ...a }), iso({ name: 'b', ...b })],
});
const ts = (name: string, text: string): BadInput['file'] => ({ name, text });
const stagingId = (c: CaseDir) =>
  createHash('sha256')
    .update(`${join(c.dir, 'capmedia.config.json')}\0default`)
    .digest('hex')
    .slice(0, 12);

/** A library of its own whose boot image manifest is changed by `edit` (the blobs are the shared ones). */
async function editedLibrary(c: CaseDir, edit: (manifest: any) => void, blob?: { sha256: string; bytes: Buffer }): Promise<void> {
  const lib = join(c.dir, 'lib');
  await mkdir(join(lib, 'packages'), { recursive: true });
  await cp(join(c.fixture.content, 'files'), join(lib, 'files'), { recursive: true });
  const manifest = JSON.parse(await readFile(join(c.fixture.content, `packages/${BOOT_ID}.json`), 'utf8'));
  edit(manifest);
  await writeFile(join(lib, `packages/${BOOT_ID}.json`), JSON.stringify(manifest));
  if (blob) {
    await mkdir(join(lib, 'files', blob.sha256.slice(0, 2)), { recursive: true });
    await writeFile(join(lib, 'files', blob.sha256.slice(0, 2), blob.sha256), blob.bytes);
  }
}
const ownLibrary = { distributionPoints: [{ name: 'local', url: 'file:./lib' }] };
const fakeSha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The bad-input campaign, as a table: every case fails with the right code and a specific message, losing nothing. */
export const CASES: BadInput[] = [
  // — the config file itself —
  {
    name: 'TypeScript syntax error',
    file: ts('capmedia.config.ts', 'export default {{;'),
    exit: 2,
    message: /capmedia\.config\.ts could not be loaded/,
  },
  {
    name: 'config function rejects',
    file: ts('capmedia.config.ts', "export default () => Promise.reject(new Error('x'))"),
    exit: 2,
    message: /capmedia\.config\.ts could not be loaded: the config function rejected: x/,
  },
  {
    name: 'config function throws',
    file: ts('capmedia.config.mjs', "export default () => { throw new Error('boom') }"),
    exit: 2,
    message: /capmedia\.config\.mjs could not be loaded: the config function threw: boom/,
  },
  {
    name: 'config function returns null',
    file: ts('capmedia.config.mjs', 'export default async () => null'),
    exit: 2,
    message: /config function returned null, not a config object/,
  },
  {
    name: 'export default null (ts)',
    file: ts('capmedia.config.ts', 'export default null'),
    exit: 2,
    message: /capmedia\.config\.ts could not be loaded: its default export is null/,
  },
  {
    name: 'export default null (mjs)',
    file: ts('capmedia.config.mjs', 'export default null'),
    exit: 2,
    message: /capmedia\.config\.mjs could not be loaded: its default export is null/,
  },
  {
    name: 'no default export (ts)',
    file: ts('capmedia.config.ts', 'export const config = { media: {} }'),
    exit: 2,
    message: /capmedia\.config\.ts could not be loaded: it has no default export \(it exports "config"\)/,
  },
  { name: 'no default export (mjs)', file: ts('capmedia.config.mjs', 'export const config = {}'), exit: 2, message: /no default export/ },
  { name: 'default export a number', file: ts('capmedia.config.mjs', 'export default 42'), exit: 2, message: /default export is a number/ },
  { name: 'default export an array', file: ts('capmedia.config.mjs', 'export default []'), exit: 2, message: /default export is an array/ },
  {
    name: 'import that does not exist',
    file: ts('capmedia.config.mjs', "import x from './nope.mjs'; export default x"),
    exit: 2,
    message: /capmedia\.config\.mjs could not be loaded/,
  },
  {
    name: 'JSON syntax error',
    file: ts('capmedia.config.json', '{"media": '),
    exit: 2,
    message: /capmedia\.config\.json could not be loaded/,
  },
  {
    name: 'YAML syntax error',
    file: ts('capmedia.config.yaml', 'media: [unclosed'),
    exit: 2,
    message: /capmedia\.config\.yaml could not be loaded/,
  },
  {
    name: 'empty --config file',
    file: ts('empty.json', ''),
    args: ['build', '--config', 'empty.json'],
    exit: 2,
    message: /empty\.json is empty/,
  },
  { name: '--config that does not exist', args: ['build', '--config', 'nope.ts'], exit: 2, message: /nope\.ts does not exist/ },
  {
    name: 'no config anywhere',
    file: ts('README', 'no config here'),
    args: ['build', '--cwd', '/'],
    exit: 2,
    message: /No capmedia config found in \//,
  },
  // — keys and values —
  { name: 'unknown top-level key', config: { medias: {} }, exit: 2, message: /medias: unknown key/ },
  { name: 'bootImage missing', config: { bootImage: undefined }, exit: 2, message: /bootImage: nothing is not allowed/ },
  { name: 'no distribution points', config: { distributionPoints: [] }, exit: 2, message: /distributionPoints/ },
  {
    name: 'ftp distribution point',
    config: { distributionPoints: [{ name: 'x', url: 'ftp://host/lib' }] },
    exit: 2,
    message: /distributionPoints\[0\]\.url: "ftp:\/\/host\/lib" is not allowed/,
  },
  { name: 'media.type floppy', config: media({ type: 'floppy' }), exit: 2, message: /media\.type: "floppy" is not allowed/ },
  { name: 'media.size nonsense', config: media({ size: 'huge' }), exit: 2, message: /media\.size: "huge" is not allowed/ },
  { name: 'media.size negative', config: media({ size: -5 }), exit: 2, message: /media\.size: -5 is not allowed/ },
  {
    name: 'label of 33 characters',
    config: media({ label: 'A'.repeat(33) }),
    exit: 2,
    message: /media\.label: "A{33}" is 33 characters long/,
  },
  {
    name: 'label empty',
    config: media({ label: '   ' }),
    exit: 2,
    message: /media\.label: " {3}" is not allowed: the label needs at least one visible character/,
  },
  { name: 'label with a line break', config: media({ label: 'a\nb' }), exit: 2, message: /media\.label: .*control characters/ },
  { name: 'target.arch mips', config: { target: { arch: 'mips' } }, exit: 2, message: /target\.arch: "mips" is not allowed/ },
  {
    name: 'destination ftp',
    config: { taskSequence: { image: { name: 'R' }, destination: 'ftp://x/y' } },
    exit: 2,
    message: /taskSequence\.destination: "ftp:\/\/x\/y" is not allowed/,
  },
  {
    name: 'after explode',
    config: { taskSequence: { image: { name: 'R' }, destination: 'disk:CAPTURE', after: 'explode' } },
    exit: 2,
    message: /taskSequence\.after: "explode" is not allowed/,
  },
  {
    name: 'image name missing',
    config: { taskSequence: { destination: 'disk:CAPTURE' } },
    exit: 2,
    message: /taskSequence\.image: nothing is not allowed/,
  },
  {
    name: 'two media with one name',
    config: { media: [iso({ name: 'x' }), iso({ name: 'x', file: 'out/other.iso' })] },
    exit: 2,
    message: /media\[1\]\.name: "x" is used twice/,
  },
  {
    name: 'two media, one output',
    config: two({ file: 'out/same.iso' }, { file: 'out/same.iso' }),
    exit: 2,
    message: /media\[1\]\.file: .*is the output of another media entry too/,
  },
  {
    name: 'iso without media.file',
    config: media({ file: undefined }),
    exit: 2,
    message: /media\.file: nothing is not allowed: an ISO needs media\.file/,
  },
  {
    name: 'usb without media.device',
    config: { media: { type: 'usb', staging: './staging' } },
    exit: 2,
    message: /media\.device: nothing is not allowed/,
  },
  {
    name: 'imageSize on an ISO',
    config: media({ imageSize: '1GiB' }),
    exit: 2,
    message: /media\.imageSize: "1GiB" is not allowed on iso media/,
  },
  {
    name: 'imageSize too small',
    config: { media: { type: 'usb', device: 'out/u.img', imageSize: '1MiB', staging: './staging' } },
    exit: 2,
    message: /media\.imageSize: "1MiB" is too small/,
  },
  {
    name: 'partitionTable mbx',
    config: { media: { type: 'usb', device: 'out/u.img', partitionTable: 'mbx', staging: './staging' } },
    exit: 2,
    message: /media\.partitionTable: "mbx" is not allowed/,
  },
  {
    name: 'Bearer and Basic both',
    config: { distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u', passwordEnv: 'P', tokenEnv: 'T' } }] },
    exit: 2,
    message: /distributionPoints\[0\]\.auth: choose either tokenEnv/,
  },
  {
    name: 'username without password',
    config: { distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u' } }] },
    exit: 2,
    message: /Basic auth needs passwordEnv/,
  },
  {
    name: 'password typed into the config',
    config: { distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u', password: SECRET } }] },
    exit: 2,
    message: /auth\.password: unknown key \(value hidden/,
  },
  {
    name: 'unknown bootImage.distributionPoint',
    config: { bootImage: { package: BOOT_ID, distributionPoint: 'dp99' } },
    exit: 2,
    message: /bootImage\.distributionPoint: "dp99" is not allowed/,
  },
  {
    name: 'package ID with a space',
    config: { bootImage: { package: 'CM 1' } },
    exit: 2,
    message: /bootImage\.package: "CM 1" is not allowed/,
  },
  { name: 'content not a list', config: { content: 'CM1' }, exit: 2, message: /content: "CM1" is not allowed/ },
  { name: 'media name with a slash', config: media({ name: 'a/b' }), exit: 2, message: /media\.name: "a\/b" is not allowed/ },
  { name: 'media.staging empty', config: media({ staging: '' }), exit: 2, message: /media\.staging: "" is not allowed/ },
  { name: 'cache.dir empty', config: { cache: { dir: '' } }, exit: 2, message: /cache\.dir: "" is not allowed/ },
  // — secrets —
  {
    name: 'destination with a password (refused)',
    config: { taskSequence: { image: { name: 'R' }, destination: `https://svc:${SECRET}@dav example/x` } },
    exit: 2,
    message: /taskSequence\.destination: "https:\/\/svc:\*\*\*@dav example\/x" is not allowed/,
  },
  {
    name: 'distribution point URL with a password',
    config: { distributionPoints: [{ name: 'h', url: `http://svc:${SECRET}@127.0.0.1:9/lib/` }] },
    exit: 2,
    message: /distributionPoints h: the url http:\/\/127\.0\.0\.1:9\/lib\/ carries a user name or password/,
  },
  {
    name: 'distribution point URL with a token',
    config: { distributionPoints: [{ name: 'h', url: `http://127.0.0.1:9/lib/?token=${SECRET}` }] },
    exit: 1,
    message: /h \(http:\/\/127\.0\.0\.1:9\/lib\/\S*\) is unreachable/,
  },
  {
    name: 'passwordEnv not set',
    config: {
      distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u', passwordEnv: 'CAPMEDIA_NO_SUCH_VAR' } }],
    },
    exit: 2,
    message: /CAPMEDIA_NO_SUCH_VAR/,
  },
  {
    name: 'passwordFile missing',
    config: { distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u', passwordFile: 'nope.txt' } }] },
    exit: 2,
    message: /nope\.txt/,
  },
  {
    name: 'tokenEnv not set',
    config: { distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { tokenEnv: 'CAPMEDIA_NO_TOKEN' } }] },
    exit: 2,
    message: /CAPMEDIA_NO_TOKEN/,
  },
  // — outputs that would overwrite inputs —
  {
    name: 'media.file is the config file',
    config: media({ file: 'capmedia.config.json' }),
    exit: 2,
    message: /media\.file of media "default" is .*capmedia\.config\.json, which would overwrite the config file/,
  },
  {
    name: 'media.file is the config file through ..',
    config: media({ file: 'out/../capmedia.config.json' }),
    exit: 2,
    message: /which would overwrite the config file/,
  },
  {
    name: 'media.file is a symlink to the config',
    setup: async (c) => symlink('../capmedia.config.json', join(c.dir, 'out/link.iso')),
    config: media({ file: 'out/link.iso' }),
    exit: 2,
    message: /out\/link\.iso.* would overwrite the config file/,
  },
  {
    name: 'media.file inside a symlinked folder of the library',
    setup: async (c) => symlink(c.fixture.content, join(c.dir, 'lib-link')),
    config: media({ file: 'lib-link/files/capture.iso' }),
    exit: 2,
    message: /would be written inside distribution point "local"/,
  },
  {
    name: 'media.file inside the content library',
    config: (c) => media({ file: join(c.fixture.content, 'files/capture.iso') }),
    exit: 2,
    message: /would be written inside distribution point "local"/,
  },
  {
    name: 'media.file inside the cache',
    config: (c) => media({ file: join(c.fixture.cacheDir, 'capture.iso') }),
    exit: 2,
    message: /would be written inside the cache folder/,
  },
  {
    name: 'media.file inside staging',
    config: (c) => media({ file: `staging/capmedia-default-${stagingId(c)}/x.iso` }),
    exit: 2,
    message: /would be written inside the staging folder of media "default"/,
  },
  {
    name: 'media.file is a file the config imports',
    file: ts('capmedia.config.mjs', "import config from './shared.mjs'; export default config;"),
    setup: async (c) => {
      const config = { ...workingConfig(c.fixture), media: iso({ file: 'shared.mjs' }) };
      await writeFile(join(c.dir, 'shared.mjs'), `export default ${JSON.stringify(config)};`);
    },
    exit: 2,
    message: /media\.file of media "default" is .*shared\.mjs, which would overwrite a file the config imports/,
  },
  {
    name: 'media.file is the DP password file',
    config: {
      distributionPoints: [{ name: 'h', url: 'https://dp.invalid/', auth: { username: 'u', passwordFile: 'pw.txt' } }],
      media: iso({ file: 'pw.txt' }),
    },
    setup: async (c) => writeFile(join(c.dir, 'pw.txt'), 'x'),
    exit: 2,
    message: /would overwrite the password file of distribution point "h"/,
  },
  {
    name: 'media.device (image) inside the library',
    config: (c) => ({ media: { type: 'usb', device: join(c.fixture.content, 'u.img'), staging: './staging' } }),
    exit: 2,
    message: /media\.device of media "default" is .*u\.img, which would be written inside distribution point/,
  },
  {
    name: 'one media writes the checksum of another',
    config: two({}, { file: 'out/a.iso.sha256' }),
    exit: 2,
    message: /media\.file of media "b" would be .*a\.iso\.sha256, which is also the checksum of media\.file of media "a"/,
  },
  {
    name: 'one media writes volume 2 of another',
    config: two({}, { file: 'out/a-2.iso' }),
    exit: 2,
    message: /which is also volume 2 of media\.file of media "a"/,
  },
  {
    name: 'one media writes the manifest of another',
    config: two({}, { file: 'out/a.iso.manifest.json' }),
    exit: 2,
    message: /which is also the build manifest of media\.file of media "a"/,
  },
  {
    name: 'one media writes the set manifest of another',
    config: two({}, { file: 'out/a.set.json' }),
    exit: 2,
    message: /which is also the set manifest/,
  },
  {
    name: 'cache.dir holds the config',
    config: { cache: { dir: '.' } },
    exit: 2,
    message: /cache\.dir is .*, which holds the config file/,
  },
  {
    name: 'cache.dir is the content library',
    config: (c) => ({ cache: { dir: c.fixture.content } }),
    exit: 2,
    message: /cache\.dir is .*, which holds distribution point "local"/,
  },
  {
    name: 'clean with cache.dir holding the config',
    config: { cache: { dir: '.' } },
    args: ['clean'],
    exit: 2,
    message: /cache\.dir is .*, which holds the config file/,
  },
  // — folders that cannot be used —
  {
    name: 'parent of media.file is a regular file',
    config: media({ file: 'capmedia.config.json/x.iso' }),
    exit: 2,
    message:
      /media\.file of media "default" is .*capmedia\.config\.json\/x\.iso, which cannot be used: .*capmedia\.config\.json, a part of its path, is a file/,
  },
  {
    name: 'media.file is a folder',
    setup: async (c) => mkdir(join(c.dir, 'out/folder.iso')),
    config: media({ file: 'out/folder.iso' }),
    exit: 2,
    message: /folder\.iso, which is a folder/,
  },
  {
    name: 'staging in /proc',
    config: media({ staging: '/proc/capmedia-x' }),
    exit: 2,
    message: /media\.staging of media "default" is \/proc\/capmedia-x, which cannot be used: it is on proc/,
  },
  { name: 'staging in /sys', config: media({ staging: '/sys/capmedia-x' }), exit: 2, message: /it is on sysfs/ },
  { name: 'staging in /dev', config: media({ staging: '/dev/capmedia-x' }), exit: 2, message: /it is on devtmpfs/ },
  {
    name: 'staging is a file',
    config: media({ staging: 'capmedia.config.json' }),
    exit: 2,
    message: /media\.staging of media "default" is .*capmedia\.config\.json, which cannot be used: it is a file/,
  },
  {
    name: 'staging below a file',
    config: media({ staging: 'capmedia.config.json/tmp' }),
    exit: 2,
    message: /a part of its path, is a file/,
  },
  {
    name: 'cache.dir in /proc',
    config: { cache: { dir: '/proc/capmedia-cache' } },
    exit: 2,
    message: /cache\.dir \(or CAPMEDIA_CACHE_DIR\) is \/proc\/capmedia-cache, which cannot be used: it is on proc/,
  },
  {
    name: 'cache.dir is a file',
    config: { cache: { dir: 'capmedia.config.json' } },
    exit: 2,
    message: /cache\.dir .*which cannot be used: it is a file/,
  },
  {
    name: 'output in /proc',
    config: media({ file: '/proc/capture.iso' }),
    exit: 2,
    message: /media\.file of media "default" is \/proc\/capture\.iso, which cannot be used: it is on proc/,
  },
  {
    name: 'USB image under /sys',
    config: { media: { type: 'usb', device: '/sys/u.img', staging: './staging' } },
    exit: 2,
    message: /media\.device of media "default" is \/sys\/u\.img, which cannot be used/,
  },
  {
    name: 'usb folder target with format true',
    setup: async (c) => mkdir(join(c.dir, 'stick')),
    config: { media: { type: 'usb', device: 'stick', staging: './staging' } },
    exit: 2,
    message: /media\.device of media "default" is .*stick, which is a folder/,
  },
  // — packages and distribution points —
  {
    name: 'boot image not published',
    config: { bootImage: { package: 'CM999999' } },
    exit: 1,
    message: /Package CM999999 could not be read from any distribution point/,
  },
  { name: 'content package not published', config: { content: ['CM999998'] }, exit: 1, message: /Package CM999998 could not be read/ },
  {
    name: 'file: library folder missing',
    config: { distributionPoints: [{ name: 'local', url: 'file:./no-such-library' }] },
    exit: 1,
    message: /no-such-library/,
  },
  {
    name: 'http distribution point refuses connections',
    config: { distributionPoints: [{ name: 'h', url: 'http://127.0.0.1:9/lib/' }] },
    exit: 1,
    message: /127\.0\.0\.1:9/,
  },
  {
    name: 'x86 target, x64 boot image',
    config: { target: { arch: 'x86' } },
    exit: 2,
    message: /boot image CM100004 is x64, but the target computer is x86/,
  },
  {
    name: 'driver the boot image lacks',
    config: { target: { arch: 'x64', drivers: ['unicorn-wifi'] } },
    exit: 2,
    message: /lacks drivers the target needs \(target\.drivers\): unicorn-wifi/,
  },
  {
    name: 'media.size smaller than the boot image',
    config: media({ size: '5MB' }),
    exit: 1,
    message: /The boot image and task sequence alone need/,
  },
  {
    name: 'manifest is not JSON',
    setup: async (c) => {
      await editedLibrary(c, () => undefined);
      await writeFile(join(c.dir, 'lib/packages', `${BOOT_ID}.json`), '{ not json');
    },
    config: ownLibrary,
    exit: 1,
    message: /CM100004/,
  },
  {
    name: 'manifest path escapes with ../',
    setup: (c) => editedLibrary(c, (m) => (m.files[0].path = '../../etc/evil')),
    config: ownLibrary,
    exit: 1,
    message: /\.\.\/\.\.\/etc\/evil/,
  },
  {
    name: 'a package file name with terminal escape sequences is printed escaped',
    setup: (c) => editedLibrary(c, (m) => m.files.push({ ...m.files[0], path: 'evil\x1b]0;PWNED\x07\x1b[2Jname.txt' })),
    config: ownLibrary,
    exit: 1,
    message:
      /package CM100004: evil\\u001b\]0;PWNED\\u0007\\u001b\[2Jname\.txt: "evil\\u001b\]0;PWNED\\u0007\\u001b\[2Jname\.txt" [^\x00-\x1f]*$/m,
  },
  {
    name: 'manifest absolute path',
    setup: (c) => editedLibrary(c, (m) => (m.files[0].path = '/etc/evil')),
    config: ownLibrary,
    exit: 1,
    message: /\/etc\/evil/,
  },
  {
    name: 'blob missing from the library',
    setup: (c) => editedLibrary(c, (m) => m.files.push({ path: 'extra.bin', size: 5, sha256: fakeSha('missing') })),
    config: ownLibrary,
    exit: 1,
    message: /extra\.bin|missing|incomplete/i,
  },
  {
    name: 'blob with the wrong bytes',
    setup: (c) =>
      editedLibrary(c, (m) => m.files.push({ path: 'extra.bin', size: 5, sha256: fakeSha('expected') }), {
        sha256: fakeSha('expected'),
        bytes: Buffer.from('wrong'),
      }),
    config: ownLibrary,
    exit: 1,
    message: /corrupt|hash/i,
  },
  {
    name: 'blob shorter than the manifest says',
    setup: (c) =>
      editedLibrary(c, (m) => m.files.push({ path: 'extra.bin', size: 50, sha256: fakeSha('short') }), {
        sha256: fakeSha('short'),
        bytes: Buffer.from('short'),
      }),
    config: ownLibrary,
    exit: 1,
    message: /extra\.bin|incomplete|size|corrupt/i,
  },
  {
    name: 'a plugin media type without pack',
    file: ts(
      'capmedia.config.mjs',
      `export default { plugins: [{ name: 'broken', mediaTypes: [{ name: 'folder', options: {}, output: { key: 'dir', kind: 'folder', help: 'h', example: 'e' }, cacheInputs: () => ({}) }] }], media: { type: 'folder', dir: 'out/m' } }`,
    ),
    exit: 2,
    message: /The plugin "broken": its media type "folder" is not valid: pack is missing \(a function\)/,
  },
  {
    name: 'a plugin media type whose options are no zod shape',
    file: ts(
      'capmedia.config.mjs',
      `export default { plugins: [{ name: 'broken', mediaTypes: [{ name: 'folder', options: 'nope', output: { key: 'dir', kind: 'folder', help: 'h', example: 'e' }, cacheInputs: () => ({}), pack: async () => ({}) }] }], media: { type: 'folder', dir: 'out/m' } }`,
    ),
    exit: 2,
    message: /The plugin "broken": its media type "folder" is not valid: options is "nope", not a zod raw shape/,
  },
  // — the command line —
  { name: 'unknown command', args: ['frobnicate'], exit: 2, message: /Unknown argument: frobnicate|say which command/ },
  { name: 'unknown option', args: ['build', '--frobnicate'], exit: 2, message: /Unknown argument/ },
  { name: 'build an unknown media name', args: ['build', 'nope'], exit: 2, message: /No media named "nope" in the config/ },
  { name: 'verify a missing file', args: ['verify', 'out/none.iso'], exit: 2, message: /none\.iso does not exist/ },
  { name: 'verify a folder', args: ['verify', 'out'], exit: 2, message: /out is not a file/ },
  {
    name: 'verify a file that is no image',
    args: ['verify', 'out/capture.iso'],
    exit: 1,
    message: /neither an ISO 9660 image nor a disk image/,
  },
  {
    name: 'verify a truncated ISO',
    setup: async (c) => {
      await cp(join(c.fixture.cacheDir, '..', 'out/capture.iso'), join(c.dir, 'out/cut.iso'));
      await truncate(join(c.dir, 'out/cut.iso'), 5 * 2 ** 20);
    },
    args: ['verify', 'out/cut.iso'],
    exit: 1,
    message: /out\/cut\.iso is truncated: 5242880 bytes, the image says \d+/,
  },
  {
    name: 'verify an ISO without its build manifest beside it',
    setup: async (c) => {
      await mkdir(join(c.dir, 'bare'));
      await cp(join(c.fixture.cacheDir, '..', 'out/capture.iso'), join(c.dir, 'bare/capture.iso'));
    },
    args: ['verify', 'bare/capture.iso'],
    exit: 0,
    message: /files: +no build manifest beside it/,
  },
  {
    name: 'distribute: a dangling link whose name carries escape sequences is named escaped',
    setup: async (c) => {
      await mkdir(join(c.dir, 'pkg'));
      await writeFile(join(c.dir, 'pkg/a.txt'), 'a');
      await symlink('nowhere', join(c.dir, 'pkg/evil\x1b[2J\rlink'));
    },
    args: ['distribute', 'pkg', '--package', 'CM1', '--to', 'file:./lib2'],
    exit: 1,
    message: /The symlink evil\\u001b\[2J\\u000dlink points to nothing\./,
  },
  {
    name: 'distribute a missing folder',
    args: ['distribute', 'no-such-folder', '--package', 'CM1', '--to', 'file:./lib2'],
    exit: 2,
    message: /no-such-folder/,
  },
  {
    name: 'distribute to ftp',
    setup: async (c) => mkdir(join(c.dir, 'pkg')),
    args: ['distribute', 'pkg', '--package', 'CM1', '--to', 'ftp://x/'],
    exit: 2,
    message: /Distribution point x uses ftp: URLs/,
  },
  {
    name: 'distribute a corrupt tarball',
    setup: async (c) => writeFile(join(c.dir, 'bad.tar.gz'), Buffer.from('not a tarball at all')),
    args: ['distribute', 'bad.tar.gz', '--package', 'CM1', '--to', 'file:./lib2'],
    exit: 1,
    message: /bad\.tar\.gz/,
  },
  {
    name: 'distribute with a password in the URL',
    setup: async (c) => mkdir(join(c.dir, 'pkg')),
    args: ['distribute', 'pkg', '--package', 'CM1', '--to', `http://svc:${SECRET}@127.0.0.1:9/dav/`],
    exit: 2,
    message: /carries a user name or password/,
  },
  { name: 'image verify of a missing image', args: ['image', 'verify', 'no-such-image'], exit: 2, message: /no-such-image does not exist/ },
  { name: 'image info of a missing path', args: ['image', 'info', 'nonexist.wim'], exit: 2, message: /nonexist\.wim does not exist/ },
  { name: 'boot a folder', args: ['boot', 'out'], exit: 2, message: /out is a folder, not an image file/ },
  {
    name: 'boot with a --marker that is no regular expression',
    args: ['boot', 'out/capture.iso', '--marker', '('],
    exit: 2,
    message: /--marker "\(" is not a valid regular expression/,
  },
  {
    name: 'boot with a negative --timeout',
    args: ['boot', 'out/capture.iso', '--timeout', '-5'],
    exit: 2,
    message: /--timeout "-5" is not a number of seconds greater than 0/,
  },
  {
    name: 'bootimage create for an unknown architecture',
    args: ['bootimage', 'create', '--arch', 'sparc', '--out', 'bi'],
    exit: 2,
    message: /arch, Given: "sparc", Choices: "x64"/,
  },
  { name: 'build with a bad --shard', args: ['build', '--shard', '0/3'], exit: 2, message: /--shard "0\/3" is not a share k\/n/ },
  {
    name: 'parse-only refuses a bad --shard like a real run',
    args: ['build', '--shard', '0/3'],
    env: { CAPMEDIA_PARSE_ONLY: '1' },
    exit: 2,
    message: /--shard "0\/3" is not a share k\/n/,
  },
  { name: 'plan an unknown media name', args: ['plan', 'nosuchmedia'], exit: 2, message: /No media named "nosuchmedia" in the config/ },
  {
    name: 'plan --detailed-exitcode of an unknown media name',
    args: ['plan', 'nosuchmedia', '--detailed-exitcode'],
    exit: 1,
    message: /No media named "nosuchmedia" in the config/,
  },
  {
    name: 'plan --json of an unknown media name: the error as JSON on stdout',
    args: ['plan', 'nosuchmedia', '--json'],
    exit: 2,
    message: /^\{"error":\{"code":"USAGE","message":"No media named \\"nosuchmedia\\" in the config\.".*\}\}$/,
  },
  { name: 'boot a missing image', args: ['boot', 'out/none.iso'], exit: 2, message: /none\.iso/ },
];
