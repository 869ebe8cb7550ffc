/**
 * End-to-end harness: drives the real plugin process (main.ts in plugin
 * mode) the way a Nomad client does, through src/nomad's stand-in.
 *
 * - {@linkcode buildJars} builds the fixture jars once per test process.
 * - {@linkcode E2ESession.start} is Nomad's runtime launch, with a state
 *   dir and alloc dirs of its own under one temporary directory.
 * - {@linkcode E2ESession.startJob} holds the log FIFOs' read ends before
 *   StartTask, as logmon does; {@linkcode E2ESession.runJob} runs a job to
 *   its exit, destroys it and reports what it left behind.
 * - {@linkcode E2ESession.close} removes everything, also after a failure.
 * - {@linkcode fingerprintLaunch} and {@linkcode validationLaunch} are the
 *   other two launches of an agent start (PROTOCOL.md §0).
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dirname, join } from "node:path";
import { selfCommand } from "../../main.ts";
import { buildJars as buildFixtureJars } from "../../scripts/build_jars.ts";
import type {
  ExitResult,
  StartTaskResponse,
} from "../../src/gen/nomad/driver.ts";
import type { AllocTask } from "../../src/nomad/alloc_dir.ts";
import { NomadClient } from "../../src/nomad/nomad_client.ts";
import type { PluginClient } from "../../src/nomad/plugin_client.ts";
import type { JobTask } from "../../src/nomad/task_config.ts";
import { withDeadline } from "./_deadline.ts";
import { FifoReader } from "./_fifo_reader.ts";
import type { KillResult } from "./_launches.ts";
import {
  conmonPids,
  forceRemoveAll,
  listContainers,
  listDir,
  settledLeftovers,
} from "./_leftovers.ts";
import { hostProblem } from "./_prerequisites.ts";

export { grpcError, withDeadline } from "./_deadline.ts";
export { FifoReader } from "./_fifo_reader.ts";
export {
  type FingerprintLaunch,
  fingerprintLaunch,
  type KillResult,
  validationLaunch,
} from "./_launches.ts";
export { conmonPids, listContainers, listDir } from "./_leftovers.ts";
export type { JobTask } from "../../src/nomad/task_config.ts";

/** How long a short JVM run may take before a test gives up on it. */
export const JOB_TIMEOUT_MS = 60_000;

/**
 * Why tasks cannot run here (not root, no crun, conmon or JDK), or null.
 * Tests that start tasks are ignored with this reason in their name.
 */
export const HOST_PROBLEM: string | null = await hostProblem();

/** `name`, with the reason it is skipped on this host appended. */
export function hostTestName(name: string): string {
  return HOST_PROBLEM ? `${name} (skipped: ${HOST_PROBLEM})` : name;
}

let jars: Promise<Record<string, string>> | undefined;

/** Builds the fixture jars once per process; program name to jar path. */
export function buildJars(): Promise<Record<string, string>> {
  jars ??= buildFixtureJars();
  return jars;
}

/** Exit and output of a job run to completion. */
export interface JobResult {
  exit: ExitResult & { err: string };
  stdout: Uint8Array;
  stderr: Uint8Array;
  taskId: string;
  containerId: string;
  alloc: AllocTask;
  response: StartTaskResponse;
  /** What DestroyTask left behind (see {@linkcode E2ESession.leftovers}). */
  leftovers: string[];
}

/** A started task and the read ends of its log FIFOs. */
export interface RunningJob {
  taskId: string;
  alloc: AllocTask;
  response: StartTaskResponse;
  /** The decoded driver state (Milo's JSON). */
  driverState: Record<string, unknown>;
  containerId: string;
  stdout: FifoReader;
  stderr: FifoReader;
}

/** What {@linkcode E2ESession.close} saw while ending the plugin. */
export interface CloseReport {
  kill: KillResult;
  /** stdout after the handshake line, for the whole session. */
  extraStdout: string;
  /** Containers the harness had to remove itself (should be none). */
  removedByHarness: string[];
  /** Whether the plugin left its socket file behind (removed now). */
  socketLeft: boolean;
}

/** One plugin process in its runtime launch, with its own directories. */
export class E2ESession {
  readonly nomad: NomadClient;
  /** Temporary directory holding the state dir and the alloc dirs. */
  readonly dir: string;
  /** The plugin's `state_dir`. */
  readonly stateDir: string;
  /** Where alloc dirs are made. */
  readonly allocRoot: string;
  #readers: FifoReader[] = [];
  #live = new Set<string>();
  #closed?: Promise<CloseReport>;

  private constructor(nomad: NomadClient, dir: string) {
    this.nomad = nomad;
    this.dir = dir;
    this.stateDir = join(dir, "state");
    this.allocRoot = join(dir, "allocs");
  }

  /**
   * Launches the plugin and performs Nomad's runtime launch with
   * `state_dir` in a fresh temporary directory.
   */
  static async start(
    options: {
      pluginConfig?: Record<string, unknown>;
      /** Added to the plugin's environment (PATH, JAVA_HOME, ...). */
      env?: Record<string, string>;
      /** The plugin's argv; defaults to this checkout's main.ts. */
      command?: string[];
    } = {},
  ): Promise<E2ESession> {
    const dir = await Deno.makeTempDir({ prefix: "milo-e2e-" });
    try {
      await Deno.mkdir(join(dir, "allocs"));
      const nomad = await NomadClient.start({
        command: options.command ?? selfCommand(),
        env: options.env,
      }, {
        state_dir: join(dir, "state"),
        ...options.pluginConfig,
      });
      return new E2ESession(nomad, dir);
    } catch (error) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Every stderr line of the plugin so far. */
  get stderrLines(): string[] {
    return this.nomad.plugin.stderrLines;
  }

  /**
   * Makes an alloc dir for `job`, copies `files` (container path such as
   * "local/app.jar" or "/secrets/x.jar" to host source) into it, opens
   * the log FIFOs for reading and calls StartTask.
   *
   * @throws {ServiceError} StartTask's error; the FIFO readers are ended.
   */
  async startJob(
    job: JobTask,
    files: Record<string, string> = {},
  ): Promise<RunningJob> {
    const alloc = await this.nomad.makeAlloc(this.allocRoot, job);
    for (const [path, source] of Object.entries(files)) {
      const target = hostPath(alloc, path);
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.copyFile(source, target);
    }

    const stdout = new FifoReader(alloc.stdoutFifo);
    const stderr = new FifoReader(alloc.stderrFifo);
    this.#readers.push(stdout, stderr);
    let started;
    try {
      started = await this.nomad.startTask(alloc, job);
    } catch (error) {
      await Promise.all([stdout.release(), stderr.release()]);
      await withDeadline(
        Promise.all([stdout.done, stderr.done]),
        10_000,
        "the FIFO readers to end",
      ).catch(() => [stdout, stderr].forEach((reader) => reader.abort()));
      throw error;
    }
    this.#live.add(started.taskId);
    const state = decodeJson(started.response.handle?.driverState);
    return {
      ...started,
      driverState: state,
      containerId: String(state.containerId),
      stdout,
      stderr,
    };
  }

  /** WaitTask, failing after `timeoutMs`. */
  waitTask(
    taskId: string,
    timeoutMs = JOB_TIMEOUT_MS,
  ): Promise<ExitResult & { err: string }> {
    return withDeadline(this.nomad.waitTask(taskId), timeoutMs, "WaitTask");
  }

  /** DestroyTask; the harness stops tracking the task once it succeeds. */
  async destroyTask(taskId: string, force = true): Promise<void> {
    await this.nomad.destroyTask(taskId, force);
    this.#live.delete(taskId);
  }

  /**
   * Runs `job` to its exit: StartTask, WaitTask, both FIFOs to EOF,
   * DestroyTask, then looks for leftovers.
   */
  async runJob(
    job: JobTask,
    files: Record<string, string> = {},
    timeoutMs = JOB_TIMEOUT_MS,
  ): Promise<JobResult> {
    const running = await this.startJob(job, files);
    const exit = await this.waitTask(running.taskId, timeoutMs);
    const [stdout, stderr] = await withDeadline(
      Promise.all([running.stdout.done, running.stderr.done]),
      timeoutMs,
      "end of the log FIFOs",
    );
    await this.destroyTask(running.taskId);
    return {
      exit,
      stdout,
      stderr,
      taskId: running.taskId,
      containerId: running.containerId,
      alloc: running.alloc,
      response: running.response,
      leftovers: await this.leftovers([running.containerId]),
    };
  }

  /**
   * What is left of the containers `containerIds`: crun state, bundle
   * dir, exit file, conmon process. Waits briefly for exiting monitors.
   */
  leftovers(containerIds: string[]): Promise<string[]> {
    return settledLeftovers(this.stateDir, containerIds);
  }

  /** Entries of the state dir's bundles/ (empty once all are destroyed). */
  bundles(): Promise<string[]> {
    return listDir(join(this.stateDir, "bundles"));
  }

  /**
   * Destroys every task still known, ends the FIFO readers, ends the
   * plugin as Nomad's Kill does, removes whatever the plugin left and the
   * temporary directory. Safe to call twice; never throws for cleanup.
   */
  close(): Promise<CloseReport> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<CloseReport> {
    for (const taskId of this.#live) {
      if (await exitStatus(this.nomad.plugin)) break;
      await withDeadline(this.nomad.destroyTask(taskId, true), 15_000, "")
        .catch(() => {});
    }
    const kill = await this.#kill();
    const extraStdout = await this.nomad.plugin.extraStdout;
    const socketLeft = await Deno.remove(this.nomad.plugin.address.address)
      .then(() => true, () => false);

    // Whatever the plugin left running would keep the FIFOs open.
    const removedByHarness = await forceRemoveAll(this.stateDir);
    await Promise.all(this.#readers.map((reader) => reader.release()));
    await withDeadline(
      Promise.allSettled(this.#readers.map((reader) => reader.done)),
      10_000,
      "",
    ).catch(() => this.#readers.forEach((reader) => reader.abort()));

    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    return { kill, extraStdout, removedByHarness, socketLeft };
  }

  /**
   * Nomad's Kill; SIGKILL when that fails. A plugin that has died already
   * only has its channels closed: a call on a channel whose connection
   * dropped can take grpc-js 30 s to fail.
   */
  async #kill(): Promise<KillResult> {
    const { plugin } = this.nomad;
    const status = await exitStatus(plugin);
    if (status) {
      plugin.close();
      return { status, forced: false, ms: NaN };
    }
    try {
      return await withDeadline(this.nomad.close(), 10_000, "Kill");
    } catch {
      // Closing the channels ends a Shutdown call stuck waiting for one.
      plugin.close();
      try {
        plugin.process.kill("SIGKILL");
      } catch {
        // Ended already.
      }
      return { status: await plugin.exited, forced: true, ms: NaN };
    }
  }
}

/** What a {@linkcode sessionTest} body gets. */
export interface SessionContext {
  t: Deno.TestContext;
  session: E2ESession;
  /** Fixture jar paths by program name. */
  jars: Record<string, string>;
  /** The plugin's crun state root, for {@linkcode listContainers}. */
  crunRoot: string;
}

/**
 * One Deno.test whose steps share one plugin session (a plugin process
 * costs a Deno start). Ignored, with the reason in its name, where tasks
 * cannot run. After the steps it checks that the state dir holds no
 * container, bundle or monitor, then closes the session whatever happened.
 */
export function sessionTest(
  name: string,
  fn: (context: SessionContext) => Promise<void>,
): void {
  Deno.test({
    name: hostTestName(name),
    ignore: HOST_PROBLEM !== null,
    async fn(t) {
      const jars = await buildJars();
      const session = await E2ESession.start();
      const crunRoot = join(session.stateDir, "crun");
      try {
        await fn({ t, session, jars, crunRoot });
        await t.step("nothing is left in the state dir", async () => {
          assertEquals(await listContainers(crunRoot), [], "containers");
          assertEquals(await session.bundles(), [], "bundles");
          assertEquals(await conmonPids(session.stateDir), [], "monitors");
        });
      } finally {
        await session.close();
      }
    },
  });
}

/**
 * The plugin's exit status if it has exited already or does so within
 * `waitMs`, else undefined.
 */
export async function exitStatus(
  plugin: PluginClient,
  waitMs = 0,
): Promise<Deno.CommandStatus | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      plugin.exited,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The host path of `path` as the task sees it ("local/x", "/alloc/x"). */
export function hostPath(alloc: AllocTask, path: string): string {
  const inside = path.replace(/^\/+/, "");
  if (inside === "alloc" || inside.startsWith("alloc/")) {
    return join(alloc.allocDir, inside);
  }
  return join(alloc.taskDir, inside);
}

/** Text of a log's bytes. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function decodeJson(bytes: Uint8Array | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
}
