/**
 * The host facts a spec depends on, probed once and passed to the pure
 * builders.
 *
 * @module
 */

import { join } from "node:path";

/**
 * Host system directories shared with every container, in mount order.
 * `/usr` and `/etc` come first: Debian's OpenJDK keeps its configuration in
 * `/etc/java-<n>-openjdk`, and Java reads `/etc/localtime`, `/etc/passwd`
 * and the certificate store.
 */
export const SYSTEM_DIRS: readonly string[] = Object.freeze([
  "/usr",
  "/etc",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/lib32",
  "/libx32",
]);

/** A symbolic link recreated in the container's root file system. */
export interface HostSymlink {
  /** Absolute path inside the container, e.g. "/bin". */
  path: string;
  /** The link's target exactly as on the host, e.g. "usr/bin". */
  target: string;
}

/** How the host's system directories look, as plain data. */
export interface HostLayout {
  /** System directories that are real directories, bound read-only. */
  boundDirs: string[];
  /** System directories that are symlinks (merged /usr), recreated as is. */
  symlinks: HostSymlink[];
}

/** Options of {@linkcode probeHostLayout}. */
export interface ProbeHostLayoutOptions {
  /** Directory standing for the host's `/`; tests point it elsewhere. */
  root?: string;
  /** Directories to probe; defaults to {@linkcode SYSTEM_DIRS}. */
  dirs?: readonly string[];
}

/**
 * Looks at each system directory on the host: a real directory is to be
 * bound, a symlink (`/bin -> usr/bin` on merged-/usr Debian) recreated, and
 * anything absent skipped. Call it once and reuse the result.
 *
 * @throws {Error} when a directory cannot be inspected for a reason other
 * than not existing.
 */
export async function probeHostLayout(
  options: ProbeHostLayoutOptions = {},
): Promise<HostLayout> {
  const root = options.root ?? "/";
  const layout: HostLayout = { boundDirs: [], symlinks: [] };

  for (const dir of options.dirs ?? SYSTEM_DIRS) {
    const hostPath = join(root, dir);
    const info = await lstatOrNull(hostPath);
    if (info?.isSymlink) {
      const target = await Deno.readLink(hostPath);
      layout.symlinks.push({ path: dir, target });
    } else if (info?.isDirectory) {
      layout.boundDirs.push(dir);
    }
  }

  return layout;
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot inspect host directory "${path}": ${reason}`, {
      cause: error,
    });
  }
}
