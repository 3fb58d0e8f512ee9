import { isCapmediaError } from '../errors/index.js';
import { parseShard } from '../lock/shard.js';

/*
 * Option values checked while the command line is parsed, so a bad value is a
 * usage error (exit 2) before any work, and CAPMEDIA_PARSE_ONLY=1 refuses
 * exactly what a real run refuses. Each returns the problem, or undefined.
 */

export function shardOptionProblem(shard: unknown): string | undefined {
  if (shard === undefined) return undefined;
  try {
    parseShard(String(shard));
    return undefined;
  } catch (error) {
    if (isCapmediaError(error)) return `${error.message} ${error.hint ?? ''}`.trim();
    throw error;
  }
}

export function bootOptionProblem(argv: { timeout?: unknown; marker?: unknown }): string | undefined {
  const timeout = argv.timeout;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    return `--timeout ${JSON.stringify(String(timeout))} is not a number of seconds greater than 0 (e.g. --timeout 180).`;
  }
  if (argv.marker !== undefined) {
    try {
      new RegExp(String(argv.marker));
    } catch (error) {
      return `--marker ${JSON.stringify(String(argv.marker))} is not a valid regular expression (${(error as Error).message}); escape ( ) [ ] with \\ to match them literally.`;
    }
  }
  return undefined;
}
