import * as fs from 'node:fs';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  file: string;
  type: string;
  /** the page itself (root index.html), which only the token holder may load */
  isPage: boolean;
}

/**
 * A file of the built renderer for a URL path, or null. The path is decoded and normalised first, and the
 * real path (symlinks resolved) must stay inside the real `root`: a link inside the build never leads out.
 */
export function resolveStatic(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let realRoot: string;
  let file: string;
  try {
    realRoot = fs.realpathSync(root);
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    file = fs.realpathSync(path.resolve(realRoot, relative));
  } catch {
    return null;
  }
  if (file !== realRoot && !file.startsWith(realRoot + path.sep)) return null;
  if (!fs.statSync(file).isFile()) return null;
  return {
    file,
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    isPage: file === path.join(realRoot, 'index.html'),
  };
}
