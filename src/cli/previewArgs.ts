/** Command-line arguments shared by the preview tools: `out.png [--size N] [--seed N] [--count N] ...`. */
export interface PreviewArgs {
  path: string;
  size: number;
  seed: number;
  count: number;
  /** A further numeric flag, e.g. flag('--classes', 6). */
  flag: (name: string, def: number) => number;
}

/** Reads the preview tools' arguments, or prints `usage` and exits 2 without an output path. */
export function readPreviewArgs(usage: string, defaults: { size: number; count: number }): PreviewArgs {
  const args = process.argv.slice(2);
  const flag = (name: string, def: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const path = args[0];
  if (!path || path.startsWith('--')) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return { path, size: flag('--size', defaults.size), seed: flag('--seed', 0), count: flag('--count', defaults.count), flag };
}
