/**
 * The driver's own view of Nomad's messages: plain data, no protobuf types.
 *
 * @module
 */

/** What Nomad asks for in StartTask, reduced to what Milo uses. */
export interface TaskRequest {
  /** Nomad's task id: `<alloc id>/<task name>/<8 random characters>`. */
  id: string;
  name: string;
  allocId: string;
  jobName: string;
  taskGroupName: string;
  namespace: string;
  /** Host path of the allocation directory; the task dir is `allocDir/name`. */
  allocDir: string;
  /** Nomad's log FIFOs (or /dev/null when log collection is off). */
  stdoutPath: string;
  stderrPath: string;
  /** The complete task environment, already interpolated by Nomad. */
  env: Record<string, string>;
  /** The task's `user`; empty means the driver's default. */
  user: string;
  resources: TaskResources;
  /** The decoded `config {}` block (cty msgpack decoded to plain values). */
  config: Record<string, unknown>;
}

/** The task's resource limits as Nomad computed them. */
export interface TaskResources {
  /** `memory` in MiB (the soft limit when memory_max is set). */
  memoryMb?: number;
  /** `memory_max` in MiB, when oversubscription is on. */
  memoryMaxMb?: number;
  /** max(memory, memory_max) in bytes. */
  memoryLimitBytes?: number;
  /** CPU shares (Nomad's `cpu` in MHz). */
  cpuShares?: number;
}

/** How a task ended. */
export interface ExitResult {
  exitCode: number;
  /** The signal that killed the task, else 0. */
  signal: number;
  oomKilled: boolean;
  /** Set when the driver could not observe the exit properly. */
  err?: string;
}

/** Lifecycle states Nomad knows. */
export type TaskState = "running" | "exited" | "unknown";

/** InspectTask's answer. */
export interface TaskStatus {
  id: string;
  name: string;
  state: TaskState;
  startedAt: Date;
  completedAt?: Date;
  result?: ExitResult;
  /** Driver details shown to operators (container id, pid, runtime). */
  attributes: Record<string, string>;
}

/** What StartTask hands back for Nomad to persist. */
export interface StartedTask {
  /** Version of the driver state schema (never 0). */
  version: number;
  /** Opaque bytes Nomad returns to RecoverTask. */
  driverState: Uint8Array;
}

/** A message for the task's event log in Nomad. */
export interface DriverEvent {
  taskId: string;
  allocId: string;
  taskName: string;
  timestamp: Date;
  message: string;
  annotations: Record<string, string>;
}

/** Health as Nomad's fingerprint reports it. */
export type Health = "undetected" | "unhealthy" | "healthy";

/** One fingerprint: health, the reason, and node attributes. */
export interface Fingerprint {
  health: Health;
  /** "Healthy", or every problem joined with "; " (what Nomad shows). */
  description: string;
  /** Each problem on its own, with where Milo looked and the fix. */
  problems: string[];
  attributes: Record<string, string | number | boolean>;
}
