import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Where `program` is on PATH, or undefined: a wrapper put first on PATH for a test runs the real one from here. */
export async function programPath(program: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** Like programPath, for a program the test cannot do without. */
export async function requiredProgramPath(program: string): Promise<string> {
  const found = await programPath(program);
  if (!found) throw new Error(`${program} is not on PATH (./setup.sh installs it)`);
  return found;
}
