/**
 * What a command reports besides its output, for the CLI to map to an exit
 * code: "changes" is exit 2 under --detailed-exitcode (Terraform's meaning:
 * 0 nothing would change, 2 something would, 1 error).
 */
export type Outcome = 'ok' | 'changes' | void;
