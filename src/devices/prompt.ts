import { createInterface } from 'node:readline';

/**
 * Asks a yes/no question on the terminal; anything but "y"/"yes" is no, and
 * so is Ctrl-C (readline catches it while the terminal is in raw mode). The
 * question goes to stderr so stdout stays the command's result.
 */
export function askOnTerminal(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const done = (answer: boolean) => {
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      done(false);
    });
    rl.question(`\n${question} [y/N] `, (answer) => done(/^\s*y(es)?\s*$/i.test(answer)));
  });
}

/** A question can be asked only with a person at a terminal (not under --json, not in CI pipes). */
export function canAsk(options: { json?: boolean; yes?: boolean }): boolean {
  return !options.yes && !options.json && Boolean(process.stdin.isTTY && process.stderr.isTTY);
}
