export interface FetchProgress {
  /** Bytes held so far, resumed ones included. */
  bytes: number;
  /** Sizes of the downloads started so far. */
  totalBytes: number;
  files: number;
  totalFiles: number;
}
