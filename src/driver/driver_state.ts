/**
 * The driver state Nomad persists with a task handle and hands back to
 * RecoverTask, possibly to a new plugin process after the old one died.
 * It holds everything needed to find the task's container again; the task's
 * raw config is gone by then (Nomad does not persist it).
 *
 * @module
 */

/** Current schema version of {@linkcode TaskDriverState}; Nomad reserves 0. */
export const DRIVER_STATE_VERSION = 1;

/** Everything a later plugin process needs to re-attach to a task. */
export interface TaskDriverState {
  taskId: string;
  taskName: string;
  allocId: string;
  containerId: string;
  /** The bundle directory (config.json and rootfs). */
  bundleDir: string;
  /** crun's state root (`crun --root`). */
  crunRoot: string;
  /** Where conmon writes `<container id>` with the exit code. */
  exitDir: string;
  /** pid of the container's init process (the JVM), in the host's pid ns. */
  pid: number;
  /** pid of the container's monitor (conmon). */
  monitorPid: number;
  /** Start time, RFC 3339. */
  startedAt: string;
  /** Java runtime used: real home and version. */
  javaHome: string;
  javaVersion?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a state as JSON bytes (Nomad treats them as opaque). */
export function encodeDriverState(state: TaskDriverState): Uint8Array {
  return encoder.encode(JSON.stringify(state));
}

/**
 * Decodes state bytes written by {@linkcode encodeDriverState}.
 *
 * @throws {TypeError} when the version is unknown or a field is missing.
 */
export function decodeDriverState(
  version: number,
  bytes: Uint8Array,
): TaskDriverState {
  if (version !== DRIVER_STATE_VERSION) {
    throw new TypeError(
      `Cannot decode driver state: version ${version} is not supported ` +
        `(this Milo writes version ${DRIVER_STATE_VERSION})`,
    );
  }
  let state: TaskDriverState;
  try {
    state = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new TypeError("Cannot decode driver state: not JSON", {
      cause: error,
    });
  }
  for (const key of ["taskId", "containerId", "bundleDir", "exitDir"]) {
    if (
      typeof (state as unknown as Record<string, unknown>)[key] !== "string"
    ) {
      throw new TypeError(`Cannot decode driver state: "${key}" is missing`);
    }
  }
  return state;
}
