/**
 * The live object for one task: its driver state and its exit.
 *
 * @module
 */

import type { TaskDriverState } from "./driver_state.ts";
import type { ExitResult, TaskStatus } from "./types.ts";

/** One started task, from StartTask until DestroyTask. */
export class TaskHandle {
  readonly state: TaskDriverState;
  readonly exited: Promise<ExitResult>;
  #result?: ExitResult;
  #completedAt?: Date;

  /** Wraps `state`; `exit` resolves when the container has exited. */
  constructor(state: TaskDriverState, exit: Promise<ExitResult>) {
    this.state = state;
    this.exited = exit.then((result) => {
      this.#result = result;
      this.#completedAt = new Date();
      return result;
    });
  }

  /** True until the exit has been observed. */
  get running(): boolean {
    return this.#result === undefined;
  }

  /** The exit, once observed. */
  get result(): ExitResult | undefined {
    return this.#result;
  }

  /** Resolves with the exit, or rejects when `signal` aborts first. */
  wait(signal?: AbortSignal): Promise<ExitResult> {
    if (!signal) return this.exited;
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.exited.then(resolve, reject).finally(() =>
        signal.removeEventListener("abort", onAbort)
      );
    });
  }

  /** Resolves true when the task exits within `ms`, else false. */
  async exitsWithin(ms: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.exited.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** InspectTask's view of the task. */
  status(): TaskStatus {
    return {
      id: this.state.taskId,
      name: this.state.taskName,
      state: this.running ? "running" : "exited",
      startedAt: new Date(this.state.startedAt),
      completedAt: this.#completedAt,
      result: this.#result,
      attributes: {
        container_id: this.state.containerId,
        pid: String(this.state.pid),
        monitor_pid: String(this.state.monitorPid),
        java_home: this.state.javaHome,
        ...(this.state.javaVersion
          ? { java_version: this.state.javaVersion }
          : {}),
      },
    };
  }
}
