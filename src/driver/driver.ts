/**
 * The task driver: Milo's domain API, free of gRPC and protobuf. The plugin
 * layer decodes each request, calls one method here and encodes the answer.
 *
 * @module
 */

import { join } from "node:path";
import type { ContainerRuntime } from "../crun/container_runtime.ts";
import { removeIfExists } from "../fs/remove.ts";
import { removeBundle } from "../oci/bundle.ts";
import { errorText, type Logger } from "../log/logger.ts";
import { Broadcast } from "./broadcast.ts";
import { DRIVER_STATE_VERSION, encodeDriverState } from "./driver_state.ts";
import {
  StartFailedError,
  TaskExistsError,
  TaskNotFoundError,
  TaskStateError,
} from "./errors.ts";
import { HealthMonitor } from "./health_monitor.ts";
import { type JavaEnv, JavaRuntimes, usingMessage } from "./java_runtimes.ts";
import { heapSizing } from "./heap_sizing.ts";
import type { Host } from "./host.ts";
import { launchTask, type StartTimings, stopwatch } from "./launch.ts";
import { DEFAULT_PLUGIN_CONFIG, type PluginConfig } from "./plugin_config.ts";
import { parseTaskConfig } from "./task_config.ts";
import { TaskHandle } from "./task_handle.ts";
import type {
  DriverEvent,
  ExitResult,
  Fingerprint,
  StartedTask,
  TaskRequest,
  TaskStatus,
} from "./types.ts";
import { resolveUser, UnknownUserError } from "./users.ts";
import { normalizeSignal, signalNumber, untilSignalCaught } from "./signals.ts";

/** How long a force-kill may take before DestroyTask gives up waiting. */
const KILL_WAIT_MS = 10_000;

/** Signals the kernel applies to a container's init without a handler. */
const UNCATCHABLE = new Set(["SIGKILL", "SIGSTOP"]);

/** Signal for StopTask when Nomad sends none (Nomad's executors use SIGINT). */
const DEFAULT_STOP_SIGNAL = "SIGINT";

/** Milo's task driver. */
export class Driver {
  readonly #logger: Logger;
  readonly #version: string;
  readonly #tasks = new Map<string, TaskHandle>();
  /** Starts in flight, by task id; each settles (never rejects) when done. */
  readonly #starting = new Map<string, Promise<void>>();
  /** Removals in flight, by task id, shared by repeated DestroyTask calls. */
  readonly #removing = new Map<string, Promise<void>>();
  readonly #events = new Broadcast<DriverEvent>();
  readonly #env: JavaEnv;
  #config: PluginConfig = { ...DEFAULT_PLUGIN_CONFIG };
  #parts?: { java: JavaRuntimes; health: HealthMonitor };
  #shuttingDown = false;

  /**
   * Creates a driver; nothing touches the host until it is used. `env` is
   * where the plugin looks for crun, conmon and java (default: its own).
   */
  constructor(
    options: { logger: Logger; version: string; env?: JavaEnv },
  ) {
    this.#logger = options.logger;
    this.#version = options.version;
    this.#env = options.env ?? {
      JAVA_HOME: Deno.env.get("JAVA_HOME"),
      PATH: Deno.env.get("PATH"),
    };
  }

  /** Applies the plugin config (SetConfig). Safe to call repeatedly. */
  async configure(config: PluginConfig): Promise<void> {
    // Nomad sends the same config up to three times; keep what is prepared.
    if (
      this.#parts && JSON.stringify(config) === JSON.stringify(this.#config)
    ) {
      return;
    }
    const old = this.#parts;
    this.#config = config;
    this.#parts = undefined;
    if (old) {
      // Running and starting tasks still wait on the old exit watcher.
      await old.health.close(
        this.#tasks.size === 0 && this.#starting.size === 0,
      );
      await old.java.close();
    }
    await this.fingerprint();
  }

  /** Never-ending fingerprint stream: the current one at once, then changes. */
  fingerprints(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    return this.#health().fingerprints(signal);
  }

  /** Never-ending stream of task events. */
  events(signal: AbortSignal): AsyncGenerator<DriverEvent> {
    return this.#events.subscribe(signal);
  }

  /** Checks the host and the runtimes now; publishes any change. */
  fingerprint(): Promise<Fingerprint> {
    return this.#health().refresh();
  }

  /**
   * Starts a task (StartTask).
   *
   * @throws {TaskExistsError} when the id is already known.
   * @throws {InvalidTaskConfigError} for a bad config block.
   * @throws {StartFailedError} when the host or the container fails.
   */
  async startTask(request: TaskRequest): Promise<StartedTask> {
    if (this.#tasks.has(request.id) || this.#starting.has(request.id)) {
      throw new TaskExistsError(request.id);
    }
    const started = this.#start(request);
    this.#starting.set(request.id, started.then(() => {}, () => {}));
    try {
      return await started;
    } finally {
      this.#starting.delete(request.id);
    }
  }

  async #start(request: TaskRequest): Promise<StartedTask> {
    const timings: StartTimings = {};
    const mark = stopwatch(timings);
    const config = parseTaskConfig(request.config);
    mark("config");
    const host = await this.#readyHost(request.name);
    mark("host");
    const java = await this.#runtimes().select(request.name, config);
    mark("java");
    const user = this.#user(request);
    mark("user");
    const heap = heapSizing(
      java,
      config.jvmOptions,
      request.resources.memoryLimitBytes,
      host.cgroup.mode === "v2" ? 2 : 1,
    );
    const state = await launchTask({
      request,
      config,
      java,
      user,
      host,
      extraJvmOptions: heap.jvmOptions,
      timings,
    });

    const exit = host.exits.waitForExit(state.containerId, state.monitorPid)
      .then(toExitResult, (error) => this.#unobservedExit(error));
    const handle = new TaskHandle(state, exit);
    this.#tasks.set(request.id, handle);
    void handle.exited.then((result) => this.#onExit(handle, result));
    this.#logger.info("task started", {
      task_id: request.id,
      container_id: state.containerId,
      pid: state.pid,
      java_home: java.home,
    });
    this.#logger.debug("task start timings", {
      task_id: request.id,
      ...Object.fromEntries(
        Object.entries(timings).map(([step, ms]) => [
          `${step}_ms`,
          Math.round(ms * 1000) / 1000,
        ]),
      ),
    });
    this.#emit(
      request,
      `${usingMessage(java)} in container ${state.containerId}`,
    );
    if (heap.warning) this.#emit(request, heap.warning);
    return {
      version: DRIVER_STATE_VERSION,
      driverState: encodeDriverState(state),
    };
  }

  /**
   * Waits for a task to exit (WaitTask); answers at once after the exit.
   * A call that arrives while the task is starting waits for the start.
   *
   * @throws {TaskNotFoundError} for an unknown id.
   */
  async waitTask(taskId: string, signal?: AbortSignal): Promise<ExitResult> {
    return (await this.#handle(taskId)).wait(signal);
  }

  /**
   * Stops a task (StopTask): `signal`, then SIGKILL to every process in the
   * container after `timeoutMs`. Unknown and exited tasks succeed; a task
   * still starting is stopped once it has started.
   */
  async stopTask(
    taskId: string,
    timeoutMs: number,
    signal: string,
  ): Promise<void> {
    const handle = await this.#settledHandle(taskId);
    if (!handle?.running) return;
    const runtime = await this.#runtimeFor(taskId);
    const id = handle.state.containerId;

    if (timeoutMs > 0) {
      const deadline = performance.now() + timeoutMs;
      const stopSignal = this.#stopSignal(taskId, signal);
      // A task stopped just after its start may not handle the signal yet
      // (SIGKILL and SIGSTOP need no handler: the kernel applies them).
      const number = signalNumber(stopSignal);
      if (number !== undefined && !UNCATCHABLE.has(stopSignal)) {
        await untilSignalCaught(handle.state.pid, number, timeoutMs, {
          keepWaiting: () => handle.running,
        });
      }
      await runtime.kill(id, stopSignal)
        .catch((error: unknown) => this.#ignoreIfExited(handle, error));
      const left = Math.max(0, deadline - performance.now());
      if (await handle.exitsWithin(left)) return;
      this.#logger.info("task did not stop in time; killing it", {
        task_id: taskId,
        timeout_ms: timeoutMs,
      });
    }
    await runtime.kill(id, "SIGKILL", true)
      .catch((error: unknown) => this.#ignoreIfExited(handle, error));
    await handle.exitsWithin(KILL_WAIT_MS);
  }

  /**
   * Removes a task and everything it left on the host (DestroyTask).
   * Unknown tasks succeed; a running task needs `force`. Calls that
   * overlap share one removal; a task still starting is removed once it
   * has started.
   *
   * @throws {TaskStateError} for a running task without force.
   */
  async destroyTask(taskId: string, force: boolean): Promise<void> {
    const handle = await this.#settledHandle(taskId);
    if (!handle) return;
    let removal = this.#removing.get(taskId);
    if (!removal) {
      if (handle.running && !force) {
        throw new TaskStateError(
          `Cannot destroy task "${taskId}": it is still running; stop it ` +
            "first or destroy with force",
        );
      }
      removal = this.#remove(handle).finally(() => {
        this.#removing.delete(taskId);
      });
      this.#removing.set(taskId, removal);
    }
    await removal;
  }

  // The one removal of a task, however many DestroyTask calls ask for it.
  async #remove(handle: TaskHandle): Promise<void> {
    const { taskId, containerId, bundleDir, exitDir } = handle.state;
    if (handle.running) await this.stopTask(taskId, 0, "SIGKILL");
    const runtime = await this.#runtimeFor(taskId);
    await runtime.delete(containerId, { force: true });
    removeBundle(bundleDir);
    removeIfExists(join(exitDir, containerId));
    this.#tasks.delete(taskId);
    this.#logger.info("task destroyed", { task_id: taskId });
  }

  /**
   * Describes a task (InspectTask).
   *
   * @throws {TaskNotFoundError} for an unknown id.
   */
  async inspectTask(taskId: string): Promise<TaskStatus> {
    return (await this.#handle(taskId)).status();
  }

  /** Stops background work; running tasks keep running under their monitors. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    await this.#parts?.health.close(true);
    await this.#parts?.java.close();
  }

  /** The task's handle, after its start if one is in flight. */
  async #handle(taskId: string): Promise<TaskHandle> {
    const handle = await this.#settledHandle(taskId);
    if (!handle) throw new TaskNotFoundError(taskId);
    return handle;
  }

  /**
   * The handle of a known task, or undefined. A call for a task whose
   * StartTask is still running waits for it, so a StopTask or DestroyTask
   * that overtakes the start cannot miss the container it makes.
   */
  async #settledHandle(taskId: string): Promise<TaskHandle | undefined> {
    const known = this.#tasks.get(taskId);
    if (known) return known;
    const starting = this.#starting.get(taskId);
    if (!starting) return undefined;
    await starting;
    return this.#tasks.get(taskId);
  }

  #build(): { java: JavaRuntimes; health: HealthMonitor } {
    if (this.#parts) return this.#parts;
    const java = new JavaRuntimes(
      this.#config,
      this.#env,
      () => void health.refresh(),
      (error) => this.#logger.warn("java runtime detection failed", { error }),
    );
    const health: HealthMonitor = new HealthMonitor({
      config: this.#config,
      java,
      version: this.#version,
      logger: this.#logger,
      path: this.#env.PATH,
    });
    this.#parts = { java, health };
    return this.#parts;
  }

  #health(): HealthMonitor {
    return this.#build().health;
  }

  #runtimes(): JavaRuntimes {
    return this.#build().java;
  }

  /**
   * The host, ready to run containers. The last check is trusted while it
   * says so; otherwise the host is checked again (a dependency may have
   * appeared since) before the start fails, recoverably.
   */
  async #readyHost(
    task: string,
  ): Promise<Host & Required<Pick<Host, "runtime">>> {
    let host = await this.#health().host();
    if (!isReady(host)) {
      await this.#health().refresh();
      host = await this.#health().host();
    }
    if (!isReady(host)) {
      const problems = host.undetected
        ? [host.undetected, ...host.problems]
        : host.problems;
      throw new StartFailedError(
        `Cannot start task "${task}": the host is not ready: ` +
          problems.join("; "),
        true,
      );
    }
    return host as Host & Required<Pick<Host, "runtime">>;
  }

  /** crun for signalling or deleting a task's container. */
  async #runtimeFor(taskId: string): Promise<ContainerRuntime> {
    let host = await this.#health().host();
    if (!host.runtime) host = await this.#health().recheck();
    if (!host.runtime) {
      throw new TaskStateError(
        `Cannot reach the container of task "${taskId}": ` +
          host.problems.join("; "),
      );
    }
    return host.runtime;
  }

  // Read at every start, so a user added since is found; synchronously,
  // since two small local files cost less than two async round trips.
  #user(request: TaskRequest) {
    const name = request.user || this.#config.defaultUser;
    try {
      return resolveUser(
        name,
        Deno.readTextFileSync("/etc/passwd"),
        readOrEmpty("/etc/group"),
      );
    } catch (error) {
      if (!(error instanceof UnknownUserError)) throw error;
      throw new StartFailedError(
        `Cannot start task "${request.name}": ${error.message}`,
        false,
      );
    }
  }

  #stopSignal(taskId: string, signal: string): string {
    if (!signal) return DEFAULT_STOP_SIGNAL;
    const name = normalizeSignal(signal);
    if (name) return name;
    this.#logger.warn("unknown stop signal; sending the default instead", {
      task_id: taskId,
      signal,
      default: DEFAULT_STOP_SIGNAL,
    });
    return DEFAULT_STOP_SIGNAL;
  }

  #ignoreIfExited(handle: TaskHandle, error: unknown): void {
    if (!handle.running) return;
    this.#logger.debug("signal not delivered", {
      task_id: handle.state.taskId,
      error,
    });
  }

  /**
   * The exit watcher gave up on a task. When the plugin is shutting down
   * the task keeps running under its monitor, so its exit stays pending
   * (WaitTask calls end with the server, and Nomad recovers the task);
   * otherwise the exit is reported as unknown.
   */
  #unobservedExit(error: unknown): Promise<ExitResult> {
    if (this.#shuttingDown) return new Promise(() => {});
    this.#logger.error("cannot observe task exit", { error });
    return Promise.resolve({
      exitCode: -1,
      signal: 0,
      oomKilled: false,
      err: `the exit of the task could not be observed: ${errorText(error)}`,
    });
  }

  #onExit(handle: TaskHandle, result: ExitResult): void {
    const { taskId, taskName, allocId } = handle.state;
    this.#logger.info("task exited", {
      task_id: taskId,
      exit_code: result.exitCode,
      signal: result.signal,
      error: result.err,
    });
    this.#events.publish({
      taskId,
      allocId,
      taskName,
      timestamp: new Date(),
      message: result.err
        ? `Task exited: ${result.err}`
        : `Task exited with code ${result.exitCode}`,
      annotations: { exit_code: String(result.exitCode) },
    });
  }

  #emit(request: TaskRequest, message: string): void {
    this.#events.publish({
      taskId: request.id,
      allocId: request.allocId,
      taskName: request.name,
      timestamp: new Date(),
      message,
      annotations: {},
    });
  }
}

function isReady(host: Host): boolean {
  return Boolean(host.runtime) && host.problems.length === 0 &&
    !host.undetected;
}

/**
 * conmon records a container killed by signal N as exit code 128 + N, the
 * way shells do; Nomad wants the signal reported separately as well.
 */
function toExitResult(
  exit: { exitCode: number; monitorDied?: boolean },
): ExitResult {
  if (exit.monitorDied) {
    return {
      exitCode: -1,
      signal: 0,
      oomKilled: false,
      err: "the container monitor (conmon) died without recording an exit code",
    };
  }
  const signal = exit.exitCode > 128 && exit.exitCode < 128 + 65
    ? exit.exitCode - 128
    : 0;
  return { exitCode: exit.exitCode, signal, oomKilled: false };
}

function readOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
