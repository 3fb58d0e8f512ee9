import test from 'ava';
import { z } from 'zod';
import { definePlugin } from '../../src/plugins/api.js';
import type { MediaType } from '../../src/plugins/media/types.js';
import { packKey, publishKey, stageKey } from '../../src/tasks/keys.js';
import { contextFor, manifest, packInputs, resolvedContent } from './_context.js';

const STAGE = { key: 'stage-key', preimage: {} };
const usb = (media: Record<string, unknown>) => ({ media: { type: 'usb', device: 'out/capture.img', staging: './staging', ...media } });

async function packKeyOf(overrides: Record<string, unknown>, plugins: unknown[] = []): Promise<string> {
  const ctx = contextFor(overrides, plugins);
  return (await packKey(packInputs(ctx), ctx.jobs[0], STAGE)).key;
}

test('the pack key changes with what shapes the image: label, autorun, epoch, the media type’s cache inputs', async (t) => {
  const base = await packKeyOf(usb({}));
  t.is(await packKeyOf(usb({})), base, 'same inputs, same key');
  t.not(await packKeyOf(usb({ label: 'Other' })), base);
  t.not(await packKeyOf(usb({ autorun: true })), base);
  t.not(await packKeyOf(usb({ partitionTable: 'gpt' })), base);
  t.not(await packKeyOf(usb({ imageSize: '2GiB' })), base);
  t.not(await packKeyOf(usb({ splitLargeFiles: true })), base);
  const ctx = contextFor(usb({}));
  t.not((await packKey(packInputs(ctx, { sourceDateEpoch: 1_764_000_000 }), ctx.jobs[0], STAGE)).key, base);
  t.not((await packKey(packInputs(ctx, { tools: { xorriso: 'xorriso 1.5.6' } }), ctx.jobs[0], STAGE)).key, base, 'tool versions');
});

test('keys outside the allow-list do not touch the pack key: output path, staging, size, name', async (t) => {
  const base = await packKeyOf(usb({}));
  t.is(await packKeyOf(usb({ device: 'elsewhere/stick.img' })), base);
  t.is(await packKeyOf(usb({ staging: './other-staging' })), base);
  t.is(await packKeyOf(usb({ size: 'dvd' })), base, 'capacity is for split and label, keyed by publish');
  t.is(await packKeyOf(usb({ name: 'renamed' })), base);
});

test('an ISO keys splitLargeFiles but not format, which only USB media read', async (t) => {
  const iso = (media: Record<string, unknown>) => ({ media: { type: 'iso', file: 'out/a.iso', ...media } });
  const base = await packKeyOf(iso({}));
  t.is(await packKeyOf(iso({ format: false })), base);
  t.not(await packKeyOf(iso({ splitLargeFiles: true })), base);
});

test("a plugin media type's cacheInputs are its allow-list", async (t) => {
  const folder: MediaType = {
    name: 'folder',
    options: { dir: z.string().optional(), flavour: z.string().optional(), comment: z.string().optional() },
    output: { key: 'dir', kind: 'folder', help: 'folder media need media.dir', example: 'media' },
    cacheInputs: (media) => ({ flavour: media.flavour }),
    pack: async (input) => ({ output: input.output, size: 0, volumeLabel: input.label }),
  };
  const plugin = definePlugin({ name: 'folder-test', mediaTypes: [folder] });
  const entry = (extra: Record<string, unknown>) => ({ media: { type: 'folder', dir: 'out/m', ...extra } });
  const base = await packKeyOf(entry({ flavour: 'a' }), [plugin]);
  t.not(await packKeyOf(entry({ flavour: 'b' }), [plugin]), base);
  t.is(await packKeyOf(entry({ flavour: 'a', comment: 'not an input' }), [plugin]), base);
});

test('the publish key follows the pack key, the capacity and the output path; the stage key the files and task sequence', (t) => {
  const ctx = contextFor(usb({}));
  const pack = { key: 'p', preimage: {} };
  const base = publishKey(ctx.jobs[0], pack).key;
  t.not(publishKey(ctx.jobs[0], { key: 'q', preimage: {} }).key, base);
  t.not(publishKey(contextFor(usb({ size: 'dvd' })).jobs[0], pack).key, base);
  t.not(publishKey(contextFor(usb({ device: 'out/other.img' })).jobs[0], pack).key, base);
  const resolved = resolvedContent();
  const stage = stageKey(ctx.config, resolved).key;
  t.is(stageKey(contextFor(usb({ label: 'Other' })).config, resolved).key, stage, 'the label is not a stage input');
  const otherSequence = contextFor({ ...usb({}), taskSequence: { image: { name: 'Other' }, destination: 'disk:CAPTURE' } });
  t.not(stageKey(otherSequence.config, resolved).key, stage);
  t.not(stageKey(ctx.config, resolvedContent([manifest('CM100007')])).key, stage, 'a content package is');
  t.not(
    stageKey(ctx.config, resolvedContent([manifest('CM100007', [['a.bin', 'b'.repeat(64)]])])).key,
    stageKey(ctx.config, resolvedContent([manifest('CM100007')])).key,
    'so are its bytes',
  );
});
