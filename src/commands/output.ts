import { CapmediaError, isCapmediaError } from '../errors.js';

/** User-facing output for the commands: stdout for results, stderr for problems. */
export interface Printer {
  json: boolean;
  verbose: boolean;
  line(text: string): void;
  result(value: unknown, human: () => string): void;
  error(error: unknown): void;
}

export function createPrinter(options: { json?: boolean; verbose?: boolean }): Printer {
  const json = Boolean(options.json);
  const verbose = Boolean(options.verbose);
  return {
    json,
    verbose,
    line: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    result: (value, human) => {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    error: (error) => process.stderr.write(formatError(error, { json, verbose })),
  };
}

export function formatError(error: unknown, options: { json: boolean; verbose: boolean }): string {
  const e = isCapmediaError(error)
    ? error
    : new CapmediaError('IO', error instanceof Error ? error.message : String(error), {
        detail: error instanceof Error ? error.stack : undefined,
      });
  if (options.json) return `${JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint } })}\n`;
  let text = `\ncapmedia: ${e.message}\n`;
  if (e.hint) text += `  hint: ${e.hint}\n`;
  if (options.verbose && e.detail) text += `\n${e.detail}\n`;
  else if (e.detail) text += '  (run with --verbose for the tool output)\n';
  return text;
}
