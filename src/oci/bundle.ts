/**
 * Writing and removing a container's bundle: `config.json` plus a `rootfs`
 * that holds nothing but mount points and the host's top-level symlinks.
 *
 * @module
 */

import { join } from "node:path";
import type { HostLayout } from "./host_layout.ts";
import { isWithin } from "./spec.ts";
import type { OciMount, OciSpec } from "./types.ts";

/** Name of the spec file inside a bundle. */
export const SPEC_FILE = "config.json";

/**
 * Creates `bundleDir` (mode 0700), its `rootfs` skeleton and `config.json`.
 * The spec is written to a temporary file and renamed, so crun never reads
 * a partial file. An existing bundle is overwritten.
 *
 * @throws {Error} "Cannot write bundle ..." when a file system call fails.
 */
export async function writeBundle(
  bundleDir: string,
  spec: OciSpec,
  layout: HostLayout,
): Promise<void> {
  try {
    await Deno.mkdir(bundleDir, { recursive: true, mode: 0o700 });
    await Deno.chmod(bundleDir, 0o700);
    const rootfs = join(bundleDir, spec.root.path);
    await Deno.mkdir(rootfs, { recursive: true, mode: 0o755 });

    for (const dir of listMountPoints(spec, layout)) {
      await Deno.mkdir(join(rootfs, dir), { recursive: true, mode: 0o755 });
    }
    for (const link of layout.symlinks) {
      await replaceSymlink(link.target, join(rootfs, link.path));
    }

    await writeFileAtomically(
      join(bundleDir, SPEC_FILE),
      JSON.stringify(spec, null, 2),
    );
  } catch (error) {
    throw new Error(
      `Cannot write bundle "${bundleDir}": ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/**
 * Removes a bundle and everything in it. A missing bundle is not an error.
 *
 * @throws {Error} "Cannot remove bundle ..." when removal fails otherwise.
 */
export function removeBundle(bundleDir: string): void {
  // Synchronous, like writeTaskBundle: a handful of small local files.
  try {
    Deno.removeSync(bundleDir, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw new Error(
      `Cannot remove bundle "${bundleDir}": ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/**
 * Lists the directories the rootfs must hold: each mount destination that
 * is not below an earlier mount (those are created inside that mount) and
 * is not one of the recreated symlinks.
 */
export function listMountPoints(spec: OciSpec, layout: HostLayout): string[] {
  return mountPointsOf(spec.mounts, layout);
}

/** {@linkcode listMountPoints} for a list of mounts. */
export function mountPointsOf(
  mounts: readonly OciMount[],
  layout: HostLayout,
): string[] {
  const points: string[] = [];
  const links = layout.symlinks.map((link) => link.path);

  mounts.forEach((mount, index) => {
    const earlier = mounts.slice(0, index);
    const nested = earlier.some((other) =>
      other.destination !== mount.destination &&
      isWithin(mount.destination, other.destination)
    );
    const linked = links.some((link) => isWithin(mount.destination, link));
    if (!nested && !linked && !points.includes(mount.destination)) {
      points.push(mount.destination);
    }
  });

  return points;
}

async function replaceSymlink(target: string, path: string): Promise<void> {
  try {
    await Deno.symlink(target, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    await Deno.remove(path);
    await Deno.symlink(target, path);
  }
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await Deno.writeTextFile(temporary, text, { mode: 0o600 });
  await Deno.rename(temporary, path);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
