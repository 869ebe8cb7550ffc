/**
 * Names and paths derived from a Nomad task: the container id, the host
 * directories mounted into the container, and the host file behind a path
 * the task config names.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join, posix } from "node:path";

/** Host directories of one task, as Nomad lays out an allocation. */
export interface TaskDirs {
  /** `<alloc dir>/<task>`: the task dir, "/" inside the container. */
  taskDir: string;
  /** `<task dir>/local`, mounted at /local. */
  localDir: string;
  /** `<task dir>/secrets`, mounted at /secrets. */
  secretsDir: string;
  /** `<alloc dir>/alloc`, shared by the alloc's tasks, mounted at /alloc. */
  sharedDir: string;
}

/** The task dirs of task `name` in `allocDir` (nomad `allocdir` layout). */
export function taskDirs(allocDir: string, name: string): TaskDirs {
  const taskDir = join(allocDir, name);
  return {
    taskDir,
    localDir: join(taskDir, "local"),
    secretsDir: join(taskDir, "secrets"),
    sharedDir: join(allocDir, "alloc"),
  };
}

/**
 * A crun container id for a Nomad task id.
 *
 * Nomad's ids contain "/" (`<alloc>/<task>/<random>`), which crun rejects;
 * crun accepts letters, digits and `_ + . -`. The id keeps the task name
 * readable for operators and adds a hash of the full task id, so two allocs
 * with the same task name, or two starts of one task, never collide.
 */
export function containerId(taskId: string, taskName: string): string {
  const readable = taskName.replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[-.]+/, "")
    .slice(0, 40);
  const hash = createHash("sha256").update(taskId).digest("hex").slice(0, 16);
  return `milo-${readable ? readable + "-" : ""}${hash}`;
}

/**
 * The host file behind `path` when the container can see it: a path in
 * the allocation (see {@linkcode hostPathOf}) or under one of the host
 * directories bound read-only into the container (`boundRoots`, such as
 * /usr, /etc and the Java home). Undefined for anything else, which the
 * container cannot see at all.
 */
export function visibleHostPath(
  path: string,
  dirs: TaskDirs,
  boundRoots: readonly string[],
): string | undefined {
  const host = hostPathOf(path, dirs);
  const inside = posix.resolve("/", path);
  if (host !== inside) return host;
  const within = (root: string) =>
    inside === root ||
    inside.startsWith(root.endsWith("/") ? root : root + "/");
  return boundRoots.some(within) ? host : undefined;
}

/**
 * Whether the container path `path` lies in a writable place of the
 * container: the allocation's directories or the private /tmp.
 */
export function isWritableInside(path: string): boolean {
  const inside = posix.resolve("/", path);
  return ["/local", "/secrets", "/alloc", "/tmp"].some((root) =>
    inside === root || inside.startsWith(root + "/")
  );
}

/**
 * A host name for the container: letters, digits and "-" from the task
 * name, at most 63 bytes (the kernel's limit), else `fallback`.
 */
export function hostnameFor(taskName: string, fallback: string): string {
  const name = taskName.replace(/[^A-Za-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name || fallback.slice(0, 63);
}

/**
 * The host file behind `path` as the container sees it. The container's
 * "/" stands for the task dir, so relative paths ("local/app.jar") and
 * /local, /secrets and /alloc map into the allocation; any other absolute
 * path is a host path bound read-only (for example under /usr).
 */
export function hostPathOf(path: string, dirs: TaskDirs): string {
  const inside = posix.resolve("/", path);
  const mapping: [string, string][] = [
    ["/local", dirs.localDir],
    ["/secrets", dirs.secretsDir],
    ["/alloc", dirs.sharedDir],
  ];
  for (const [prefix, host] of mapping) {
    if (inside === prefix || inside.startsWith(prefix + "/")) {
      return host + inside.slice(prefix.length);
    }
  }
  return inside;
}
