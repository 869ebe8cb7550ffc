/**
 * Root file systems shared by every container of one shape. A Milo rootfs
 * holds only empty mount points and the host's top-level symlinks, and the
 * spec mounts it read-only, so one copy serves all tasks that bind the same
 * directories: it is made once (per plugin state dir, and kept across
 * plugin restarts) instead of once per task.
 *
 * @module
 */

import { join } from "node:path";
import type { HostSymlink } from "./host_layout.ts";

/** Shared rootfs directories under one parent, made on first use. */
export class SharedRootfs {
  readonly #dir: string;
  readonly #made = new Map<string, Promise<string>>();

  /** Rootfs directories live under `dir` (e.g. `<state_dir>/rootfs`). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * The rootfs holding `mountPoints` (as directories) and `symlinks`.
   * Concurrent calls for one shape share one creation; a rootfs left by
   * an earlier plugin process is reused as it is.
   *
   * @throws {Error} "Cannot make the shared rootfs ..." on a file system error.
   */
  get(
    mountPoints: readonly string[],
    symlinks: readonly HostSymlink[],
  ): Promise<string> {
    const shape = JSON.stringify([mountPoints, symlinks]);
    let made = this.#made.get(shape);
    if (!made) {
      made = this.#make(shape, mountPoints, symlinks);
      this.#made.set(shape, made);
      // A failure is not kept: the next task tries again.
      made.catch(() => this.#made.delete(shape));
    }
    return made;
  }

  async #make(
    shape: string,
    mountPoints: readonly string[],
    symlinks: readonly HostSymlink[],
  ): Promise<string> {
    const path = join(this.#dir, await digest(shape));
    try {
      if ((await Deno.stat(path).catch(() => null))?.isDirectory) return path;
      await Deno.mkdir(this.#dir, { recursive: true, mode: 0o755 });
      // Built aside and renamed, so a rootfs that exists is complete.
      const building = await Deno.makeTempDir({
        dir: this.#dir,
        prefix: ".building-",
      });
      try {
        await Deno.chmod(building, 0o755);
        for (const point of mountPoints) {
          await Deno.mkdir(join(building, point), {
            recursive: true,
            mode: 0o755,
          });
        }
        for (const link of symlinks) {
          await Deno.symlink(link.target, join(building, link.path));
        }
        await Deno.rename(building, path);
      } catch (error) {
        await Deno.remove(building, { recursive: true }).catch(() => {});
        // Another process made it first: use theirs.
        if ((await Deno.stat(path).catch(() => null))?.isDirectory) {
          return path;
        }
        throw error;
      }
      return path;
    } catch (error) {
      throw new Error(
        `Cannot make the shared rootfs "${path}": ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** The first 16 hex digits of the SHA-256 of `text`. */
async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(bytes.slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Writes a task's bundle: its directory (mode 0700) and `config.json`,
 * nothing else (the rootfs is shared). A bundle left by an earlier attempt
 * of the same task is replaced.
 *
 * @throws {Error} "Cannot write bundle ..." on a file system error.
 */
export function writeTaskBundle(bundleDir: string, specText: string): void {
  // Synchronous: two calls in the local state dir, microseconds each; as
  // async calls they cost more than the work when many tasks start at once.
  try {
    try {
      Deno.mkdirSync(bundleDir, { mode: 0o700 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      Deno.removeSync(bundleDir, { recursive: true });
      Deno.mkdirSync(bundleDir, { mode: 0o700 });
    }
    Deno.writeTextFileSync(join(bundleDir, "config.json"), specText, {
      mode: 0o600,
      createNew: true,
    });
  } catch (error) {
    throw new Error(
      `Cannot write bundle "${bundleDir}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}
