/**
 * Pure construction of a container spec for one task.
 *
 * The spec splits into a part that depends only on the host and the Java
 * runtime ({@linkcode buildHostMounts}) and a part filled per task. A
 * caller that wants a template per runtime can cache the former.
 *
 * @module
 */

import {
  CPU_SHARES_RANGE,
  DEFAULT_CAPABILITIES,
  DEFAULT_NAMESPACES,
  KERNEL_MOUNTS,
  MASKED_PATHS,
  READONLY_BIND_OPTIONS,
  READONLY_PATHS,
  WRITABLE_BIND_OPTIONS,
} from "./defaults.ts";
import type { HostLayout } from "./host_layout.ts";
import {
  OCI_VERSION,
  type OciLinux,
  type OciMount,
  type OciProcess,
  type OciResources,
  type OciSpec,
} from "./types.ts";
import { validateSpecInput } from "./spec_input.ts";

/** Host paths of Nomad's task directories, each bound read-write. */
export interface TaskMounts {
  /** Host path mounted at `/local`. */
  localDir: string;
  /** Host path mounted at `/secrets`. */
  secretsDir: string;
  /** Host path mounted at `/alloc`. */
  allocDir: string;
}

/** Everything task-specific that goes into a spec. */
export interface ContainerSpecInput {
  /** Full argv; `args[0]` is the absolute path of `java` in the container. */
  args: string[];
  /** Task environment, passed through unchanged. */
  env: Record<string, string>;
  /** Absolute working directory inside the container. */
  cwd: string;
  /** The user the process runs as. */
  user: { uid: number; gid: number; additionalGids?: number[] };
  /** Host name inside the container. */
  hostname: string;
  /**
   * Real host path of the Java runtime, bound read-only at the same path
   * unless a bound system directory (such as `/usr`) already holds it.
   */
  runtimeHome: string;
  /** Nomad's task directories. */
  taskMounts: TaskMounts;
  /** Hard memory limit in bytes; no limit when absent. */
  memoryLimitBytes?: number;
  /** Soft memory limit in bytes. */
  memoryReservationBytes?: number;
  /** Nomad CPU shares (MHz); clamped to the kernel's range. */
  cpuShares?: number;
  /** Cgroup path, e.g. "/milo/<container id>". */
  cgroupsPath: string;
  /**
   * RLIMIT_NOFILE (soft and hard) of the process. When absent the container
   * inherits the limit of the process that starts crun, as tasks of
   * Nomad's java driver inherit the client's. Raising it above the current
   * hard limit needs CAP_SYS_RESOURCE, or crun fails with "setrlimit".
   */
  openFilesLimit?: number;
}

/**
 * Builds the spec of one container from the task's input and the probed
 * host layout. The result is a fresh object the caller may change.
 *
 * @throws {TypeError} when a path that must be absolute is not, argv is
 * empty, or an environment variable name cannot be encoded.
 * @throws {RangeError} when a limit is not a positive finite number.
 */
export function buildSpec(
  input: ContainerSpecInput,
  layout: HostLayout,
): OciSpec {
  validateSpecInput(input);

  return {
    ociVersion: OCI_VERSION,
    root: { path: "rootfs", readonly: true },
    process: buildProcess(input),
    hostname: input.hostname,
    mounts: [
      ...buildHostMounts(layout, input.runtimeHome),
      ...buildTaskMounts(input.taskMounts),
    ],
    linux: buildLinux(input),
  };
}

/**
 * Builds the mounts that depend only on the host and the Java runtime:
 * kernel file systems, read-only system directories, then the runtime home
 * when no system directory covers it.
 */
export function buildHostMounts(
  layout: HostLayout,
  runtimeHome: string,
): OciMount[] {
  const mounts: OciMount[] = structuredClone([...KERNEL_MOUNTS]);

  for (const dir of layout.boundDirs) {
    mounts.push(readonlyBind(dir));
  }
  if (!layout.boundDirs.some((dir) => isWithin(runtimeHome, dir))) {
    mounts.push(readonlyBind(runtimeHome));
  }

  return mounts;
}

/** Clamps Nomad's CPU shares to the kernel's range and rounds them. */
export function clampCpuShares(shares: number): number {
  const { min, max } = CPU_SHARES_RANGE;
  return Math.min(max, Math.max(min, Math.round(shares)));
}

/** Tells whether `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === "/") return true;
  return path === dir || path.startsWith(`${dir}/`);
}

/** The process part of a spec (used by the template too). */
export function buildProcess(input: ContainerSpecInput): OciProcess {
  const { uid, gid, additionalGids } = input.user;
  const capabilities = [...DEFAULT_CAPABILITIES];

  return {
    terminal: false,
    user: additionalGids?.length
      ? { uid, gid, additionalGids: [...additionalGids] }
      : { uid, gid },
    args: [...input.args],
    env: Object.entries(input.env).map(([name, value]) => `${name}=${value}`),
    cwd: input.cwd,
    capabilities: {
      bounding: capabilities,
      effective: [...capabilities],
      permitted: [...capabilities],
    },
    rlimits: input.openFilesLimit === undefined ? [] : [{
      type: "RLIMIT_NOFILE",
      hard: input.openFilesLimit,
      soft: input.openFilesLimit,
    }],
    noNewPrivileges: true,
  };
}

/** Nomad's task directories as mounts (used by the template too). */
export function buildTaskMounts(dirs: TaskMounts): OciMount[] {
  return [
    writableBind("/local", dirs.localDir),
    writableBind("/secrets", dirs.secretsDir),
    writableBind("/alloc", dirs.allocDir),
  ];
}

function buildLinux(input: ContainerSpecInput): OciLinux {
  return {
    cgroupsPath: input.cgroupsPath,
    resources: buildResources(input),
    namespaces: DEFAULT_NAMESPACES.map((type) => ({ type })),
    maskedPaths: [...MASKED_PATHS],
    readonlyPaths: [...READONLY_PATHS],
  };
}

/** The cgroup resources of a spec (used by the template too). */
export function buildResources(input: ContainerSpecInput): OciResources {
  const resources: OciResources = {
    devices: [{ allow: false, access: "rwm" }],
  };
  const { memoryLimitBytes: limit, memoryReservationBytes: reservation } =
    input;

  if (limit !== undefined || reservation !== undefined) {
    resources.memory = {};
    if (limit !== undefined) resources.memory.limit = limit;
    if (reservation !== undefined) resources.memory.reservation = reservation;
  }
  if (input.cpuShares !== undefined) {
    resources.cpu = { shares: clampCpuShares(input.cpuShares) };
  }

  return resources;
}

function readonlyBind(path: string): OciMount {
  return {
    destination: path,
    type: "bind",
    source: path,
    options: [...READONLY_BIND_OPTIONS],
  };
}

function writableBind(destination: string, source: string): OciMount {
  return {
    destination,
    type: "bind",
    source,
    options: [...WRITABLE_BIND_OPTIONS],
  };
}
