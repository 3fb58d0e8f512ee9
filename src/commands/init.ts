import { access, copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fail } from '../errors/index.js';
import { TEMPLATES_DIR } from '../templates.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

const EXISTING_CONFIGS = [
  'capmedia.config.ts',
  'capmedia.config.mts',
  'capmedia.config.js',
  'capmedia.config.mjs',
  'capmedia.config.cjs',
  'capmedia.config.json',
  'capmedia.config.yaml',
  '.capmediarc',
  '.capmediarc.json',
  '.capmediarc.yaml',
  '.capmediarc.yml',
  '.capmediarc.js',
  '.capmediarc.mjs',
  '.capmediarc.cjs',
  '.capmediarc.ts',
];

/** Writes a starter config; never replaces an existing one, nor adds a second config beside one. */
export async function initCommand(args: CommonArgs, printer: Printer): Promise<void> {
  const target = resolve(args.cwd, 'capmedia.config.ts');
  for (const name of EXISTING_CONFIGS) {
    const existing = resolve(args.cwd, name);
    if (
      await access(existing).then(
        () => true,
        () => false,
      )
    ) {
      throw fail('initTargetExists', { existing });
    }
  }
  await mkdir(args.cwd, { recursive: true });
  await copyFile(join(TEMPLATES_DIR, 'capmedia.config.ts.tpl'), target, 1 /* COPYFILE_EXCL */);
  printer.result(
    { written: target },
    () =>
      `wrote ${target}\nnext: capmedia bootimage create --arch x64 --out bootimage && capmedia distribute bootimage --package CM100004 --to file:./content && capmedia build`,
  );
}
