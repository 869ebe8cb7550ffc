/**
 * Finds an executable the way a shell does.
 *
 * @module
 */

import { join } from "node:path";

/**
 * Returns the first executable file named `name` in `path` (a PATH value),
 * or undefined. An explicit path is checked as it is.
 *
 * Synchronous stats: a PATH of 15 directories costs ~30 µs this way and
 * ~450 µs through async ops, and this runs on every fingerprint.
 */
export function which(name: string, path: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : path.split(":").filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}
