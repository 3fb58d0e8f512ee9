import { fail, isCapmediaError, type CapmediaError } from '../errors/index.js';
import { printableJson, printableText } from '../printable.js';
import { redact, redactDeep } from '../redact.js';

/** User-facing output for the commands: stdout for results, stderr for problems; with --json both are JSON on stdout. */
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
      if (!json) process.stdout.write(`${printableText(redact(text))}\n`);
    },
    result: (value, human) => {
      process.stdout.write(json ? `${printableJson(JSON.stringify(redactDeep(value), null, 2))}\n` : `${printableText(redact(human()))}\n`);
    },
    // A --json caller parses stdout alone: the error is one JSON line there, and nothing goes to stderr.
    error: (error) => (json ? process.stdout : process.stderr).write(formatError(error, { json, verbose })),
  };
}

export function formatError(error: unknown, options: { json: boolean; verbose: boolean }): string {
  const e = isCapmediaError(error) ? error : unexpected(error);
  // A name from a package or a medium can reach any message: its control characters are escaped here whatever the call site did.
  if (options.json) return `${printableJson(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint } }))}\n`;
  let text = `\ncapmedia: ${printableText(e.message)}\n`;
  if (e.hint) text += `  hint: ${printableText(e.hint)}\n`;
  // A bug's stack is what its report needs; users see it only when they ask.
  const detail = e.detail ?? (e.code === 'INTERNAL' ? e.stack : undefined);
  if (options.verbose && detail) text += `\n${detail}\n`;
  else if (detail) text += '  (run with --verbose for the tool output)\n';
  return text;
}

/** Not from the catalog: say what kind of failure it was instead of printing a bare errno line. */
function unexpected(error: unknown): CapmediaError {
  const e = error as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const detail = error instanceof Error ? error.stack : undefined;
  if (e && typeof e.code === 'string' && e.syscall) {
    const where = e.path ? ` ${e.path}${e.dest ? ` → ${e.dest}` : ''}` : '';
    return fail('systemCallFailed', { syscall: e.syscall, where, errno: e.code }, { detail });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return fail('unexpected', { reason }, { detail });
}
