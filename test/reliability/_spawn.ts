import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { REPO } from '../_helpers/cli.js';

const CLI = join(REPO, 'src/cli.ts');

export interface Running {
  child: ResultPromise<{ reject: false; all: true }>;
  /** Resolves once a line of the build's output matches. */
  reached(pattern: RegExp): Promise<void>;
  output(): string;
}

/** A build running in the background (from source, CI-style output), to be signalled mid-step. */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): Running {
  const child = execa('node', ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd,
    env: { CI: 'true', LC_ALL: 'C', ...env },
    reject: false,
    all: true,
  });
  let text = '';
  const listeners: Array<() => void> = [];
  child.all!.on('data', (chunk: Buffer) => {
    text += String(chunk);
    for (const listener of [...listeners]) listener();
  });
  return {
    child,
    output: () => text,
    reached: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) resolve();
        };
        listeners.push(check);
        check();
        void child.then(() => (pattern.test(text) ? resolve() : reject(new Error(`never reached ${pattern}:\n${text}`))));
      }),
  };
}

/** Milliseconds from sending the signal to the process being gone. */
export async function timeToExit(running: Running, signal: NodeJS.Signals): Promise<{ ms: number; exitCode?: number }> {
  const started = Date.now();
  running.child.kill(signal);
  const result = await running.child;
  return { ms: Date.now() - started, exitCode: result.exitCode };
}
