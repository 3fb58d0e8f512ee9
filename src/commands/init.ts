import { access, copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CapmediaError } from '../errors.js';
import { TEMPLATES_DIR } from '../templates.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

/** Writes a starter config; never replaces an existing one. */
export async function initCommand(args: CommonArgs, printer: Printer): Promise<void> {
  const target = resolve(args.cwd, 'capmedia.config.ts');
  const exists = await access(target).then(() => true, () => false);
  if (exists) {
    throw new CapmediaError('USAGE', `${target} already exists; it was left as it is.`, { hint: 'Edit it, or remove it first if you want a fresh starter.' });
  }
  await copyFile(join(TEMPLATES_DIR, 'capmedia.config.ts.tpl'), target, 1 /* COPYFILE_EXCL */);
  printer.result({ written: target }, () => `wrote ${target}\nnext: capmedia bootimage create --arch x64 --out bootimage && capmedia distribute bootimage --package CM100004 --to file:./content && capmedia build`);
}
