/**
 * Detection of the host's cgroup layout, as crun sees it.
 *
 * crun 1.8 decides the mode from `/sys/fs/cgroup` alone: cgroup2 there is
 * unified mode; a tmpfs there is legacy (v1) mode, or hybrid mode when
 * `/sys/fs/cgroup/unified` is a cgroup2 mount. In hybrid mode it refuses to
 * create any container once that cgroup2 hierarchy holds a controller
 * ("cgroups in hybrid mode not supported, drop all controllers from
 * cgroupv2", src/libcrun/cgroup.c). Unmounting it in a private mount
 * namespace turns the host into plain v1 for crun.
 *
 * @module
 */

/** Where crun expects the cgroup hierarchies. */
export const CGROUP_ROOT = "/sys/fs/cgroup";

/** Where systemd's hybrid mode mounts the cgroup2 hierarchy. */
export const HYBRID_CGROUP2_MOUNT = `${CGROUP_ROOT}/unified`;

/** The host's cgroup mode. */
export type CgroupMode = "v2" | "v1" | "hybrid" | "none";

/** What {@linkcode detectCgroupLayout} found. */
export interface CgroupLayout {
  /** The mode crun will see. */
  mode: CgroupMode;
  /** Mount point of the cgroup2 hierarchy, or null when there is none. */
  cgroup2Mount: string | null;
  /** Controllers of the v1 hierarchies, named hierarchies left out. */
  v1Controllers: string[];
  /**
   * In hybrid mode, whether the cgroup2 hierarchy holds controllers; null
   * when the mode is not hybrid or the controllers were not given.
   */
  cgroup2HasControllers: boolean | null;
  /**
   * The mount to remove in a private mount namespace before every crun
   * call, or null when crun accepts the host as it is. Set in hybrid mode
   * unless the cgroup2 hierarchy is known to hold no controller.
   */
  unmountForCrun: string | null;
}

interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/**
 * Reads the cgroup layout from the text of `/proc/self/mountinfo`.
 *
 * @param mountinfo the text of `/proc/self/mountinfo`.
 * @param cgroup2Controllers the text of `cgroup.controllers` of the hybrid
 * cgroup2 mount, when known; only used in hybrid mode.
 * @throws {SyntaxError} when a mountinfo line has no " - " separator.
 */
export function detectCgroupLayout(
  mountinfo: string,
  cgroup2Controllers?: string,
): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const cgroup2 = mounts.filter((entry) => entry.fsType === "cgroup2");
  const v1 = mounts.filter((entry) => entry.fsType === "cgroup");
  const v1Controllers = v1.flatMap((entry) =>
    entry.superOptions.filter((option) => CONTROLLERS.has(option))
  );

  if (cgroup2.some((entry) => entry.mountPoint === CGROUP_ROOT)) {
    return layout("v2", CGROUP_ROOT, v1Controllers, null);
  }
  const hybrid = cgroup2.find((e) => e.mountPoint === HYBRID_CGROUP2_MOUNT);
  if (hybrid) {
    const hasControllers = cgroup2Controllers === undefined
      ? null
      : cgroup2Controllers.trim() !== "";
    return layout("hybrid", hybrid.mountPoint, v1Controllers, hasControllers);
  }
  // A cgroup2 mount elsewhere is invisible to crun.
  const other = cgroup2[0]?.mountPoint ?? null;
  return layout(v1.length > 0 ? "v1" : "none", other, v1Controllers, null);
}

/**
 * Reads this host's cgroup layout from `/proc/self/mountinfo` and, in
 * hybrid mode, the cgroup2 hierarchy's `cgroup.controllers`.
 *
 * @throws {Error} "Cannot detect cgroup layout ..." when mountinfo is
 * unreadable.
 */
export async function probeCgroupLayout(): Promise<CgroupLayout> {
  let mountinfo: string;
  try {
    mountinfo = await Deno.readTextFile("/proc/self/mountinfo");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot detect cgroup layout: ${reason}`, {
      cause: error,
    });
  }

  const first = detectCgroupLayout(mountinfo);
  if (first.mode !== "hybrid" || first.cgroup2Mount === null) return first;
  const controllers = await Deno.readTextFile(
    `${first.cgroup2Mount}/cgroup.controllers`,
  ).catch(() => undefined);
  return detectCgroupLayout(mountinfo, controllers);
}

/** Kernel cgroup v1 controllers; `name=...` hierarchies are not among them. */
const CONTROLLERS = new Set([
  "blkio",
  "cpu",
  "cpuacct",
  "cpuset",
  "devices",
  "freezer",
  "hugetlb",
  "memory",
  "misc",
  "net_cls",
  "net_prio",
  "perf_event",
  "pids",
  "rdma",
]);

function layout(
  mode: CgroupMode,
  cgroup2Mount: string | null,
  v1Controllers: string[],
  cgroup2HasControllers: boolean | null,
): CgroupLayout {
  const refuses = mode === "hybrid" && cgroup2HasControllers !== false;
  return {
    mode,
    cgroup2Mount,
    v1Controllers,
    cgroup2HasControllers,
    unmountForCrun: refuses ? cgroup2Mount : null,
  };
}

function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const separator = line.indexOf(" - ");
    if (separator < 0) {
      throw new SyntaxError(
        `Cannot parse mountinfo: line "${line}" has no " - " separator`,
      );
    }
    const fields = line.slice(0, separator).split(" ");
    const [fsType, , superOptions = ""] = line.slice(separator + 3).split(" ");
    entries.push({
      mountPoint: unescapeOctal(fields[4] ?? ""),
      fsType,
      superOptions: superOptions.split(","),
    });
  }
  return entries;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
function unescapeOctal(text: string): string {
  return text.replace(
    /\\([0-7]{3})/g,
    (_, octal: string) => String.fromCharCode(parseInt(octal, 8)),
  );
}
