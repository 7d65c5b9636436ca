/**
 * Path rules shared by the layouts: which entries are junk (macOS resource forks, dotfiles,
 * Windows thumbnails), which are images, and how a single wrapping folder is looked through.
 */

/** Image extensions the layouts accept, lower case. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp'] as const;

const JUNK_NAMES = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

/** Folders that carry meaning in a layout, so they are never looked through as a wrapper. */
const STRUCTURAL = new Set(['train', 'test', 'val', 'validation', 'images', 'masks', 'jpegimages', 'segmentationclass', 'imagesets']);

/** The split folder names ImageFolder and pix2pix accept. */
export const SPLIT_NAMES = ['train', 'test', 'val', 'validation'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** '/'-separated, without a leading './' or '/'. */
export function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** True for entries that are never data: `__MACOSX/`, dotfiles and dot-folders, `Thumbs.db`. */
export function isJunkPath(p: string): boolean {
  const parts = normalizePath(p).split('/').filter((s) => s !== '');
  return parts.some((s) => s === '__MACOSX' || s.startsWith('.') || JUNK_NAMES.has(s.toLowerCase()));
}

/** The extension, lower case, without the dot ('' when none). */
export function extensionOf(p: string): string {
  const base = baseName(p);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The last path segment (a folder's name when the path ends in '/'). */
export function baseName(p: string): string {
  const trimmed = p.endsWith('/') ? p.slice(0, -1) : p;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The base name without its extension. */
export function stemOf(p: string): string {
  const base = baseName(p);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** True for png, jpg, jpeg, gif, bmp and webp files, in any letter case. */
export function isImagePath(p: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}

/** The files a loader may need: images, CIFAR binaries and text lists; never junk. */
export function isCandidatePath(p: string): boolean {
  if (isJunkPath(p) || p.endsWith('/')) return false;
  const ext = extensionOf(p);
  return ext === 'bin' || ext === 'txt' || isImagePath(p);
}

/** The split a folder name stands for, or null. Case-insensitive. */
export function splitOf(segment: string): SplitName | null {
  const s = segment.toLowerCase();
  return (SPLIT_NAMES as readonly string[]).includes(s) ? (s as SplitName) : null;
}

/**
 * The wrapping folders shared by every path ("cifar10/" around "train/" and "test/"), looked
 * through while each path keeps at least a folder and a file and the folder means nothing to
 * a layout. Returns the prefix to strip, with its trailing '/', or ''.
 */
export function findWrapperPrefix(paths: string[]): string {
  if (paths.length === 0) return '';
  const split = paths.map((p) => p.split('/'));
  let depth = 0;
  for (;;) {
    const seg = split[0][depth];
    const shared = split.every((s) => s.length > depth + 2 && s[depth] === seg);
    if (!shared || STRUCTURAL.has(seg.toLowerCase())) break;
    depth++;
  }
  return depth === 0 ? '' : `${split[0].slice(0, depth).join('/')}/`;
}
