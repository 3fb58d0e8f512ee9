export interface CommonArgs {
  cwd: string;
  config?: string;
  json?: boolean;
  verbose?: boolean;
  yes?: boolean;
  force?: boolean;
}
