import test from 'ava';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { validateConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { CapmediaError } from '../../src/errors/index.js';
import { definePlugin, type CapmediaPlugin } from '../../src/plugins/api.js';
import { builtinPlugin } from '../../src/plugins/builtins.js';
import { createRegistry } from '../../src/plugins/registry.js';
import type { DistributionPointScheme } from '../../src/plugins/dp/types.js';
import type { MediaType } from '../../src/plugins/media/types.js';
import { baseConfig } from '../_helpers/config.js';

const folderMedia: MediaType = {
  name: 'folder',
  options: { dir: z.string().min(1).optional(), depth: z.number().int().positive().optional() },
  output: { key: 'dir', kind: 'folder', help: 'folder media need media.dir, a folder (e.g. "out/media")', example: 'media' },
  cacheInputs: (media) => ({ depth: media.depth }),
  checkOptions: (media) => (media.depth === 13 ? [{ key: 'depth', message: '13 is not allowed: unlucky' }] : []),
  pack: async (input) => ({ output: input.output, size: 0, volumeLabel: input.label }),
};
const folderPlugin = definePlugin((name: string = 'folder-plugin'): CapmediaPlugin => ({ name, mediaTypes: [folderMedia] }));

const s3Scheme: DistributionPointScheme = {
  name: 's3',
  protocols: ['s3:'],
  open: (config) => ({
    name: config.name,
    displayUrl: config.url,
    readManifest: async () => Promise.reject(new Error('not in this test')),
    checkPackage: async () => ({ status: 'missing', reason: 'not in this test' }),
    openBlob: async () => Readable.from([]),
    hasBlob: async () => false,
    putBlob: async () => undefined,
    putManifest: async () => undefined,
    readDocument: async () => undefined,
    putDocument: async () => undefined,
  }),
};

function problems(config: Record<string, unknown>): string {
  try {
    validateConfig(config, '/base');
  } catch (error) {
    if (error instanceof CapmediaError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  return '';
}

test('definePlugin is the identity, for plugin objects and factories', (t) => {
  const object = { name: 'x' };
  t.is(definePlugin(object), object);
  t.is(folderPlugin('a').name, 'a');
});

test('the built-ins are registered through the plugin API, in one plugin', (t) => {
  const registry = createRegistry();
  t.deepEqual(
    registry.mediaTypes.map((m) => m.name),
    ['iso', 'usb'],
  );
  t.deepEqual(
    registry.bootPlatforms.map((p) => p.name),
    ['linux', 'winpe'],
  );
  t.deepEqual(
    registry.schemes.flatMap((s) => s.protocols),
    ['file:', 'http:', 'https:'],
  );
  t.is(registry.mediaTypes[0], builtinPlugin.mediaTypes[0]);
});

test('a plugin media type is valid config with plugins: [...], normalized through its output key', (t) => {
  const config = validateConfig(
    { ...baseConfig(), plugins: [folderPlugin()], media: { type: 'folder', dir: 'out/media', depth: 2 } },
    '/base',
  );
  t.is(config.media[0].type, 'folder');
  t.is(config.media[0].output, '/base/out/media');
  t.is(config.media[0].depth, 2);
  t.is(config.registry.mediaType('folder'), folderMedia);
});

test('without the plugin the type is unknown, listing the registered ones', (t) => {
  t.regex(
    problems({ ...baseConfig(), media: { type: 'folder', dir: 'out/media' } }),
    /media\.type: "folder" is not allowed: expected one of "iso", "usb"/,
  );
  t.regex(
    problems({ ...baseConfig(), plugins: [folderPlugin()], media: { type: 'floppy' } }),
    /media\.type: "floppy" is not allowed: expected one of "iso", "usb", "folder"/,
  );
});

test("a media type's keys, output rule and own rules apply to its entries only", (t) => {
  const withPlugin = (media: unknown) => ({ ...baseConfig(), plugins: [folderPlugin()], media });
  t.regex(problems(withPlugin({ type: 'folder' })), /media\.dir: nothing is not allowed: folder media need media\.dir/);
  t.regex(problems(withPlugin({ type: 'folder', dir: 'd', depth: -1 })), /media\.depth: -1 is not allowed/);
  t.regex(problems(withPlugin({ type: 'folder', dir: 'd', depth: 13 })), /media\.depth: 13 is not allowed: unlucky/);
  t.regex(
    problems(withPlugin({ type: 'iso', file: 'a.iso', depth: 2 })),
    /media\.depth: 2 is not allowed on iso media: depth applies to media\.type "folder" only/,
  );
  t.regex(
    problems(withPlugin({ type: 'folder', dir: 'd', partitionTable: 'gpt' })),
    /media\.partitionTable: "gpt" is not allowed on folder media: partitionTable applies to media\.type "usb" only/,
  );
  t.regex(
    problems(withPlugin({ type: 'folder', dir: 'd', deep: 1 })),
    /media\.deep: unknown key \(value 1\); allowed keys here: name, type, dir, depth, size, label/,
  );
  t.notRegex(problems(withPlugin({ type: 'folder', dir: 'd', deep: 1 })), /allowed keys here: .*(device|imageSize)/);
  t.regex(
    problems(withPlugin([{ type: 'usb', device: 'x.img', partitonTable: 'gpt' }])),
    /media\[0\]\.partitonTable: unknown key .*partitionTable/,
  );
});

test('two plugins registering one media type name: refused naming both', (t) => {
  const message = problems({ ...baseConfig(), plugins: [folderPlugin('one'), folderPlugin('two')], media: { type: 'iso', file: 'a.iso' } });
  t.regex(message, /The plugin "two" registers the media type "folder", which "one" registers already/);
  const builtin = t.throws(() => createRegistry([{ name: 'mine', mediaTypes: [{ ...folderMedia, name: 'iso' }] }]), {
    instanceOf: CapmediaError,
  });
  t.regex(builtin.message, /"mine" registers the media type "iso", which "capmedia" registers already/);
});

test('something that is not a plugin under plugins is a config error', (t) => {
  t.regex(
    problems({ ...baseConfig(), plugins: ['netboot'] }),
    /plugins\[0\]: "netboot" is not allowed: expected a plugin object with a name/,
  );
});

test("a plugin's distribution point scheme makes its URLs valid config and opens them", (t) => {
  const dps = { distributionPoints: [{ name: 'bucket', url: 's3://media/library' }] };
  t.regex(
    problems({ ...baseConfig(), ...dps }),
    /distributionPoints\[0\]\.url: "s3:\/\/media\/library" is not allowed: expected a URL starting with file:, http: or https:/,
  );
  const config = validateConfig({ ...baseConfig(), ...dps, plugins: [{ name: 's3', distributionPointSchemes: [s3Scheme] }] }, '/base');
  t.is(config.registry.openDistributionPoint(config.distributionPoints[0]).displayUrl, 's3://media/library');
});

test('the JSON Schema for editors includes plugin media types when given the registry', (t) => {
  const registry = createRegistry([folderPlugin()]);
  const schema = JSON.stringify(configJsonSchema({ mediaTypes: registry.mediaTypes, protocols: ['file:'] }));
  t.regex(schema, /"const":"folder"/);
  t.notRegex(JSON.stringify(configJsonSchema()), /"const":"folder"/);
});

test('a contribution that does not fit its interface is refused when the registry is made, naming plugin, contribution and member', (t) => {
  const refused = (plugin: unknown) =>
    t.throws(() => createRegistry([plugin as CapmediaPlugin]), { instanceOf: CapmediaError })?.message ?? '';
  const { pack: _pack, ...noPack } = folderMedia;
  t.regex(
    refused({ name: 'p', mediaTypes: [noPack] }),
    /The plugin "p": its media type "folder" is not valid: pack is missing \(a function\)/,
  );
  t.regex(refused({ name: 'p', mediaTypes: [{ ...folderMedia, options: 'nope' }] }), /options is "nope", not a zod raw shape/);
  t.regex(refused({ name: 'p', mediaTypes: [{ ...folderMedia, options: { dir: 'x' } }] }), /options is an object, not a zod raw shape/);
  t.regex(refused({ name: 'p', mediaTypes: [{ ...folderMedia, cacheInputs: {} }] }), /cacheInputs is an object, not a function/);
  t.regex(
    refused({ name: 'p', mediaTypes: [{ ...folderMedia, output: { key: 'dir', kind: 'disk' } }] }),
    /output is not valid \(kind is "disk", not "file" or "folder"; help is missing \(a non-empty string\)/,
  );
  t.regex(refused({ name: 'p', mediaTypes: [{ ...folderMedia, spansVolumes: 'yes' }] }), /spansVolumes is "yes", not true or false/);
  t.regex(refused({ name: 'p', mediaTypes: [42] }), /its media type #1 is number 42, not an object/);
  t.regex(refused({ name: 'p', mediaTypes: folderMedia }), /The plugin "p": mediaTypes is an object, not an array of media types/);
  t.regex(
    refused({ name: 'b', bootPlatforms: [{ name: 'bsd', requiredFiles: 'kernel', incompleteHint: 'h' }] }),
    /its boot platform "bsd" is not valid: requiredFiles is "kernel", not an array of strings; isoBoot is missing \(a function\)/,
  );
  t.regex(
    refused({ name: 's', distributionPointSchemes: [{ ...s3Scheme, protocols: ['s3'] }] }),
    /its distribution point scheme "s3" is not valid: protocols is an array, not a non-empty array of URL protocols/,
  );
  t.regex(refused({ name: 's', distributionPointSchemes: [{ name: 's3', protocols: ['s3:'] }] }), /open is missing \(a function\)/);
  t.notThrows(() => createRegistry([folderPlugin(), { name: 's3', distributionPointSchemes: [s3Scheme] }]));
});
