/**
 * The one error the data layer throws for bad input. Its message names the file and the
 * problem on one line, so the UI can show it as it is and the runner can print it.
 */
export class DatasetError extends Error {
  override name = 'DatasetError';
  /** The file at fault: an entry's path inside the archive, or the archive itself. */
  readonly file: string;
  /** The problem alone, without the file name. */
  readonly problem: string;

  /**
   * @param archive the archive's own name, when `file` is an entry inside it
   */
  constructor(file: string, problem: string, archive?: string) {
    super(archive && archive !== file ? `${file} in ${archive}: ${problem}` : `${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

/** Formats a byte count for messages: "512 MB", "3.1 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}
