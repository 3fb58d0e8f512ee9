import test from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { CapmediaError, exitCodeFor } from '../../src/errors/index.js';
import { baseConfig } from '../_helpers/config.js';

const usb = (media: Record<string, unknown>) => ({ ...baseConfig(), media: { type: 'usb', device: 'out/capture.img', ...media } });

function problems(input: unknown): string {
  try {
    validateConfig(input, '/base');
  } catch (error) {
    if (error instanceof CapmediaError && error.code === 'CONFIG_INVALID') {
      if (exitCodeFor(error) !== 2) throw new Error('config errors exit 2');
      return error.message;
    }
    throw error;
  }
  return '';
}

test('usb keys are accepted: imageSize, partitionTable, splitLargeFiles', (t) => {
  const config = validateConfig(usb({ imageSize: '2GiB', partitionTable: 'gpt', splitLargeFiles: true }), '/base');
  t.like(config.media[0], {
    type: 'usb',
    output: '/base/out/capture.img',
    imageSize: '2GiB',
    partitionTable: 'gpt',
    splitLargeFiles: true,
    format: true,
  });
});

test('usb config errors name the key, the value and what is allowed', (t) => {
  t.regex(problems(usb({ partitionTable: 'apm' })), /media\.partitionTable: "apm" is not allowed: expected one of "mbr", "gpt"/);
  t.regex(problems(usb({ imageSize: 'huge' })), /media\.imageSize: .*a byte count or a string such as "512MiB"/);
  t.regex(problems(usb({ imageSize: '10MB' })), /media\.imageSize: "10MB" is too small: a FAT32 USB image needs at least "64MiB"/);
  t.regex(problems(usb({ format: false, partitionTable: 'gpt' })), /media\.partitionTable: "gpt" has no effect with media\.format: false/);
  t.regex(
    problems({ ...baseConfig(), media: { ...baseConfig().media, imageSize: '1GB' } }),
    /media\.imageSize: "1GB" is not allowed on iso media: imageSize applies to media\.type "usb" only/,
  );
  t.regex(problems(usb({ device: undefined })), /media\.device: nothing is not allowed: USB media need media\.device/);
});
