/**
 * The subset of the OCI runtime-spec 1.0.2 `config.json` that Milo writes.
 *
 * Field names follow the specification exactly, because the object is
 * serialised as it is. Optional fields are left out of the JSON when unset.
 *
 * @module
 */

/** The OCI runtime-spec version Milo writes into every spec. */
export const OCI_VERSION = "1.0.2";

/** A mount of the container (`mounts[]`). */
export interface OciMount {
  /** Absolute path inside the container. */
  destination: string;
  /** Filesystem type, e.g. "proc", "tmpfs", "bind". */
  type: string;
  /** Device, host path or pseudo name of the filesystem. */
  source: string;
  /** mount(8) style options, e.g. "rbind", "ro", "mode=755". */
  options?: string[];
}

/** The user the container process runs as (`process.user`). */
export interface OciUser {
  /** Numeric user id. */
  uid: number;
  /** Numeric primary group id. */
  gid: number;
  /** Supplementary group ids. */
  additionalGids?: number[];
}

/** The capability sets of the container process. */
export interface OciCapabilities {
  /** Capabilities the process can ever gain. */
  bounding: string[];
  /** Capabilities checked by the kernel. */
  effective: string[];
  /** Capabilities the process may make effective. */
  permitted: string[];
  /** Capabilities kept across execve for non-root users. */
  ambient?: string[];
}

/** A POSIX resource limit (`process.rlimits[]`). */
export interface OciRlimit {
  /** Limit name, e.g. "RLIMIT_NOFILE". */
  type: string;
  /** Hard limit. */
  hard: number;
  /** Soft limit. */
  soft: number;
}

/** The container's main process (`process`). */
export interface OciProcess {
  /** Whether a pseudo terminal is attached. */
  terminal: boolean;
  /** The user the process runs as. */
  user: OciUser;
  /** Full argv; `args[0]` is an absolute path inside the container. */
  args: string[];
  /** Environment as `NAME=value` strings. */
  env: string[];
  /** Working directory inside the container. */
  cwd: string;
  /** Capability sets. */
  capabilities: OciCapabilities;
  /** Resource limits. */
  rlimits: OciRlimit[];
  /** Sets PR_SET_NO_NEW_PRIVS so setuid binaries cannot raise privileges. */
  noNewPrivileges: boolean;
}

/** A device cgroup rule (`linux.resources.devices[]`). */
export interface OciDeviceRule {
  /** Whether the rule allows or denies access. */
  allow: boolean;
  /** Access letters: r, w, m. */
  access: string;
}

/** Cgroup limits (`linux.resources`). */
export interface OciResources {
  /** Device access rules. */
  devices: OciDeviceRule[];
  /** Memory limits in bytes. */
  memory?: { limit?: number; reservation?: number };
  /** Relative CPU weight (cgroup v1 shares, converted by crun on v2). */
  cpu?: { shares?: number };
}

/** Linux-specific configuration (`linux`). */
export interface OciLinux {
  /** Cgroup path relative to the cgroup root, e.g. "/milo/web". */
  cgroupsPath: string;
  /** Cgroup limits. */
  resources: OciResources;
  /** Namespaces created for the container; others are shared with the host. */
  namespaces: { type: string }[];
  /** Paths hidden from the container. */
  maskedPaths: string[];
  /** Paths made read-only inside the container. */
  readonlyPaths: string[];
}

/** A complete container spec, written to the bundle as `config.json`. */
export interface OciSpec {
  /** Version of the runtime specification. */
  ociVersion: string;
  /** Root filesystem, relative to the bundle. */
  root: { path: string; readonly: boolean };
  /** The container's main process. */
  process: OciProcess;
  /** Host name inside the UTS namespace. */
  hostname: string;
  /** Mounts, in the order they are made. */
  mounts: OciMount[];
  /** Linux-specific configuration. */
  linux: OciLinux;
}
