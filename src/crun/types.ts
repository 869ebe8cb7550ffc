/**
 * Plain data taken and returned by `ContainerRuntime`.
 *
 * @module
 */

/** How to reach crun and conmon on this host. */
export interface ContainerRuntimeOptions {
  /** Absolute path of crun. */
  crunPath: string;
  /** Absolute path of conmon. */
  conmonPath: string;
  /** crun's state directory (`--root`), kept apart from podman's. */
  stateRoot: string;
  /**
   * A mount (the hybrid host's cgroup2 hierarchy) to remove in a private
   * mount namespace before every crun or conmon call; see cgroup_layout.ts.
   */
  unmountCgroup2?: string;
  /** Path of util-linux `unshare`; defaults to "/usr/bin/unshare". */
  unsharePath?: string;
  /** Milliseconds any single call may take; defaults to 30000. */
  timeoutMs?: number;
}

/** Where a new container's output and exit code go. */
export interface CreateOptions {
  /** File or FIFO the container's stdout is written to. */
  stdoutPath: string;
  /** File or FIFO the container's stderr is written to. */
  stderrPath: string;
  /** Directory in which conmon writes a file named after the container. */
  exitDir: string;
  /** Directory in which conmon also writes an `exit` file. */
  persistDir?: string;
}

/** A created (not yet started) container. */
export interface CreatedContainer {
  /** Host pid of the container's init process. */
  pid: number;
  /** Host pid of its conmon daemon, which outlives the plugin. */
  monitorPid: number;
}

/** What crun knows about a container. */
export interface ContainerState {
  /** "created", "running", "paused" or "stopped". */
  status: string;
  /** Host pid of the init process (0 once stopped, depending on crun). */
  pid: number;
}
