import { relative } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { NormalizedMedia } from '../config/normalize.js';
import type { CommonArgs } from './common.js';
import type { Printer } from './output.js';

export interface MatrixEntry {
  name: string;
  type: string;
  /** The output as the config names it, relative to the config folder (a /dev/ drive stays absolute). */
  output: string;
  /**
   * Globs, one a line (what actions/upload-artifact's `path` takes), that catch
   * every output a build may write: the file or the volumes of a set, checksums, manifests.
   */
  artifacts: string;
}

/**
 * `capmedia matrix`: the config's media for a CI matrix. `--json` prints
 * `{ "include": [...] }`, which GitHub Actions takes as `strategy.matrix` as is.
 */
export async function matrixCommand(args: CommonArgs, printer: Printer): Promise<void> {
  const { config } = await loadConfig({ cwd: args.cwd, configFile: args.config });
  const include = config.media.map((media) => entry(media, config.baseDir));
  printer.result({ include }, () => include.map((m) => `${m.name.padEnd(20)} ${m.type.padEnd(5)} ${m.output}`).join('\n'));
}

function entry(media: NormalizedMedia, baseDir: string): MatrixEntry {
  const output = media.output.startsWith('/dev/') ? media.output : relative(baseDir, media.output) || media.output;
  const stem = output.replace(/\.[^./]*$/, '');
  const ext = output.slice(stem.length);
  const artifacts = media.output.startsWith('/dev/') ? '' : [`${output}*`, `${stem}-*${ext}*`, `${stem}.set.json`].join('\n');
  return { name: media.name, type: media.type, output, artifacts };
}
