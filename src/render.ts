export type RendererChoice = 'default' | 'simple' | 'silent';

export interface OutputMode {
  json?: boolean;
  verbose?: boolean;
  isTTY?: boolean;
  ci?: boolean;
}

/** The one place the renderer is chosen: TTY → default; CI, pipes, --verbose → plain lines; --json → silent. */
export function chooseRenderer(mode: OutputMode): RendererChoice {
  if (mode.json) return 'silent';
  if (mode.verbose || mode.ci || !mode.isTTY) return 'simple';
  return 'default';
}
