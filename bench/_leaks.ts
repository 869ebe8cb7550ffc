/**
 * What a round of tasks may leave behind once every task is destroyed:
 * containers in crun's state root, bundle directories, exit files, conmon
 * processes, task cgroups, and descriptors the plugin keeps open.
 *
 * @module
 */

import { join } from "node:path";
import {
  conmonPids,
  listContainers,
  listDir,
} from "../tests/e2e/_leftovers.ts";
import { describeFds } from "./_proc.ts";

/** Leftovers by kind; every list is empty when the host is clean. */
export interface Leaks {
  containers: string[];
  bundles: string[];
  exitFiles: string[];
  monitors: number[];
  cgroups: string[];
  /** Descriptors the plugin holds beyond its idle baseline. */
  fds: string[];
}

/** Total number of leftovers. */
export function leakCount(leaks: Leaks): number {
  return Object.values(leaks).reduce((sum, list) => sum + list.length, 0);
}

/** Where to look, and what was there before any task. */
export interface LeakScope {
  /** The plugin's state_dir. */
  stateDir: string;
  /** The plugin's pid. */
  pid: number;
  /** The plugin's descriptors while idle (from `describeFds`). */
  baseline: string[];
  /** Container ids of the tasks whose cgroups are looked for. */
  containerIds: ReadonlySet<string>;
}

/**
 * Looks for leftovers of the tasks in `scope`. A monitor that is just
 * exiting, or a descriptor that is just closing, gets up to `settleMs`.
 */
export async function findLeaks(
  scope: LeakScope,
  settleMs = 3000,
): Promise<Leaks> {
  const deadline = performance.now() + settleMs;
  while (true) {
    const leaks = await readLeaks(scope);
    if (leakCount(leaks) === 0 || performance.now() > deadline) return leaks;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readLeaks(scope: LeakScope): Promise<Leaks> {
  const { stateDir, pid, baseline } = scope;
  const fds = await describeFds(pid);
  return {
    containers: await listContainers(join(stateDir, "crun")),
    bundles: await listDir(join(stateDir, "bundles")),
    exitFiles: await listDir(join(stateDir, "exits")),
    monitors: await conmonPids(stateDir),
    cgroups: (await taskCgroups()).filter((path) =>
      scope.containerIds.has(path.slice(path.lastIndexOf("/") + 1))
    ),
    // Numbers are reused, so compare counts and show what is new.
    fds: fds.length > baseline.length
      ? fds.filter((fd) => !baseline.includes(fd))
      : [],
  };
}

/**
 * Task cgroups still present: the children of `milo/` (Milo's cgroups
 * parent, see src/driver/launch.ts) under every mounted hierarchy.
 */
export async function taskCgroups(): Promise<string[]> {
  const mountinfo = await Deno.readTextFile("/proc/self/mountinfo");
  const found: string[] = [];
  for (const line of mountinfo.split("\n")) {
    // "... <mount point> <options> - <fs type> <source> <super options>"
    const [left, right] = line.split(" - ");
    if (!right?.startsWith("cgroup")) continue;
    const mountPoint = left.split(" ")[4];
    for (const name of await listDir(join(mountPoint, "milo"))) {
      if ((await Deno.stat(join(mountPoint, "milo", name))).isDirectory) {
        found.push(join(mountPoint, "milo", name));
      }
    }
  }
  return found;
}
