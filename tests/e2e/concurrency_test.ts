/**
 * Many tasks and many calls at once, through the real plugin, crun and
 * conmon: eight StartTask calls in parallel, one task name in two allocs,
 * calls that overtake a StartTask still in flight (DestroyTask, WaitTask),
 * repeated and overlapping StopTask, DestroyTask and StartTask for one
 * task, and tasks that flood their log, fail at once or run out of memory
 * beside one that must keep running. Each step destroys its own tasks and
 * checks that nothing is left behind.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { status as Code } from "@grpc/grpc-js";
import {
  DriverService,
  type StartTaskResponse,
  type TaskConfig,
  TaskState,
} from "../../src/gen/nomad/driver.ts";
import type { AllocTask } from "../../src/nomad/alloc_dir.ts";
import { invoke } from "../../src/nomad/plugin_client.ts";
import { buildTaskConfig, schemaKeys } from "../../src/nomad/task_config.ts";
import {
  type E2ESession,
  FifoReader,
  grpcError,
  hostPath,
  type JobTask,
  listContainers,
  type RunningJob,
  sessionTest,
  text,
  withDeadline,
} from "./harness.ts";

/** StopTask's timeout where the task is expected to stop on SIGINT. */
const STOP_TIMEOUT_MS = 10_000;

/** How long a task's log FIFOs may take to end once it has exited. */
const FIFO_END_MS = 15_000;

/** A StartTask sent by hand, so that other calls can overtake it. */
interface RawStart {
  task: TaskConfig;
  taskId: string;
  alloc: AllocTask;
  stdout: FifoReader;
  stderr: FifoReader;
}

/**
 * StartTask calls sent with `invoke` instead of through the harness, for
 * tests that must not wait for the answer. Holds the FIFOs' read ends as
 * logmon does, and {@linkcode close} destroys every task it sent and ends
 * the readers, whatever the test did.
 */
class RawStarts {
  readonly #session: E2ESession;
  readonly #starts: RawStart[] = [];
  readonly #sent: Promise<unknown>[] = [];
  #keys?: string[];

  constructor(session: E2ESession) {
    this.#session = session;
  }

  /**
   * Makes the alloc dir, copies `files` (container path to host source)
   * into it, opens the log FIFOs and builds the TaskConfig. Sends nothing.
   */
  async prepare(
    job: JobTask,
    files: Record<string, string>,
  ): Promise<RawStart> {
    const driver = this.#session.nomad.plugin.driver;
    this.#keys ??= schemaKeys(
      (await invoke(driver, DriverService.taskConfigSchema, {})).spec,
    );
    const alloc = await this.#session.nomad.makeAlloc(
      this.#session.allocRoot,
      job,
    );
    for (const [path, source] of Object.entries(files)) {
      await Deno.copyFile(source, hostPath(alloc, path));
    }
    const task = buildTaskConfig(job, alloc, this.#keys);
    const start: RawStart = {
      task,
      taskId: task.id,
      alloc,
      stdout: new FifoReader(alloc.stdoutFifo),
      stderr: new FifoReader(alloc.stderrFifo),
    };
    this.#starts.push(start);
    return start;
  }

  /** Sends StartTask for `start` without waiting for the answer. */
  send(start: RawStart): Promise<StartTaskResponse> {
    const response = invoke(
      this.#session.nomad.plugin.driver,
      DriverService.startTask,
      { task: start.task },
    );
    this.#sent.push(response);
    return response;
  }

  /**
   * Waits for every StartTask sent, destroys every task and ends every
   * reader; never throws.
   */
  async close(): Promise<void> {
    // A DestroyTask must not overtake a start here: it is the cleanup.
    await withDeadline(Promise.allSettled(this.#sent), 60_000, "")
      .catch(() => {});
    for (const start of this.#starts) {
      await withDeadline(
        this.#session.nomad.destroyTask(start.taskId, true),
        15_000,
        "DestroyTask",
      ).catch(() => {});
    }
    const readers = this.#starts.flatMap((start) => [
      start.stdout,
      start.stderr,
    ]);
    // A reader whose task never started still waits in open(2).
    await Promise.all(readers.map((reader) => reader.release()));
    await withDeadline(
      Promise.allSettled(readers.map((reader) => reader.done)),
      FIFO_END_MS,
      "",
    ).catch(() => readers.forEach((reader) => reader.abort()));
  }
}

/** Runs `fn` with a {@linkcode RawStarts}, closed afterwards whatever happens. */
async function withRawStarts(
  session: E2ESession,
  fn: (raw: RawStarts) => Promise<void>,
): Promise<void> {
  const raw = new RawStarts(session);
  try {
    await fn(raw);
  } finally {
    await raw.close();
  }
}

/** The container id in a StartTask answer's driver state. */
function containerIdOf(response: StartTaskResponse): string {
  const state = JSON.parse(
    text(response.handle?.driverState ?? new Uint8Array()),
  );
  assert.equal(typeof state.containerId, "string", "driverState.containerId");
  return state.containerId;
}

/** Both log FIFOs of `job` at end-of-file. */
function logsDone(
  job: Pick<RunningJob, "stdout" | "stderr">,
): Promise<[Uint8Array, Uint8Array]> {
  return withDeadline(
    Promise.all([job.stdout.done, job.stderr.done]),
    FIFO_END_MS,
    "the end of the log FIFOs",
  );
}

/** The index of the first byte that is not the flood fixture's, or -1. */
function firstBadFloodByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== (i % 100 === 99 ? 0x0a : 0x78)) return i;
  }
  return -1;
}

/** A plugin stderr line as hclog JSON, or undefined for other lines. */
function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** How often `needle` occurs in `haystack`. */
function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

sessionTest(
  "many tasks at once: StartTask, StopTask, DestroyTask",
  async (c) => {
    const { t, session, jars, crunRoot } = c;
    const sleeperFiles = { "local/sleeper.jar": jars.sleeper };

    await t.step(
      "StartTask for 8 tasks at once: distinct containers, own logs, exit 130",
      async () => {
        const jobs = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            session.startJob(
              {
                name: `sleeper${i}`,
                config: { jar_path: "local/sleeper.jar" },
              },
              sleeperFiles,
            )),
        );
        const ids = jobs.map((job) => job.containerId);
        try {
          assert.equal(new Set(ids).size, 8, `container ids ${ids}`);
          await Promise.all(
            jobs.map((job) => job.stdout.waitForText("sleeping\n", 30_000)),
          );
          const running = await listContainers(crunRoot);
          for (const id of ids) assert.ok(running.includes(id), id);

          const exits = Promise.all(
            jobs.map((job) => session.waitTask(job.taskId, 30_000)),
          );
          await Promise.all(
            jobs.map((job) =>
              session.nomad.stopTask(job.taskId, STOP_TIMEOUT_MS)
            ),
          );
          const results = await exits;
          const logs = await Promise.all(jobs.map(logsDone));

          assert.deepEqual(results.map((r) => r.exitCode), Array(8).fill(130));
          for (const [stdout, stderr] of logs) {
            // Exactly its own line: no task writes into another's FIFO.
            assert.equal(text(stdout), "sleeping\n");
            assert.match(text(stderr), /shutdown hook ran/);
          }
        } finally {
          await Promise.all(jobs.map((job) => session.destroyTask(job.taskId)));
        }
        assert.deepEqual(await session.leftovers(ids), []);
      },
    );

    await t.step(
      'the same task name "web" in two allocs: own container, own /local',
      async () => {
        const contents = [
          `alloc one ${crypto.randomUUID()}\n`,
          `alloc two ${crypto.randomUUID()}\n`,
        ];
        const sources = await Promise.all(contents.map(async (content, i) => {
          const path = join(session.dir, `greeting-${i}.txt`);
          await Deno.writeTextFile(path, content);
          return path;
        }));
        const job = {
          name: "web",
          config: {
            jar_path: "local/catfile.jar",
            args: ["/local/greeting.txt"],
          },
        };

        const results = await Promise.all(
          sources.map((source) =>
            session.runJob(job, {
              "local/catfile.jar": jars.catfile,
              "local/greeting.txt": source,
            })
          ),
        );

        const [one, two] = results;
        assert.notEqual(one.alloc.allocId, two.alloc.allocId);
        assert.notEqual(one.containerId, two.containerId);
        for (const [i, result] of results.entries()) {
          assert.match(result.containerId, /^milo-web-[0-9a-f]{16}$/);
          assert.deepEqual(
            result.exit,
            { exitCode: 0, signal: 0, oomKilled: false, err: "" },
            text(result.stderr),
          );
          assert.equal(text(result.stdout), contents[i]);
          assert.deepEqual(result.leftovers, []);
        }
      },
    );

    await t.step(
      "DestroyTask that overtakes StartTask removes the container",
      async () => {
        await withRawStarts(session, async (raw) => {
          const start = await raw.prepare(
            { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
            sleeperFiles,
          );
          // Sent in one tick: the plugin has the DestroyTask long before
          // the StartTask (conmon, crun create and start) can answer.
          const started = raw.send(start);
          const destroyed = session.nomad.destroyTask(start.taskId, true);
          // Both succeed.
          const [response] = await withDeadline(
            Promise.all([started, destroyed]),
            30_000,
            "StartTask and DestroyTask",
          );

          const id = containerIdOf(response);
          assert.deepEqual(await session.leftovers([id]), []);
          const error = await grpcError(
            invoke(session.nomad.plugin.driver, DriverService.inspectTask, {
              taskId: start.taskId,
            }),
          );
          assert.equal(error.code, Code.NOT_FOUND, error.message);
          await logsDone(start);
        });
      },
    );

    await t.step(
      "WaitTask sent before StartTask answers gets the exit",
      async () => {
        await withRawStarts(session, async (raw) => {
          const start = await raw.prepare(
            {
              name: "exitcode",
              config: { jar_path: "local/exitcode.jar", args: ["4"] },
            },
            { "local/exitcode.jar": jars.exitcode },
          );
          // Sent in one tick, long before StartTask can answer.
          const started = raw.send(start);
          const exit = session.waitTask(start.taskId, 30_000);
          exit.catch(() => {}); // Awaited below, after StartTask.

          const id = containerIdOf(await started);
          const result = await exit;
          const [stdout] = await logsDone(start);
          await session.destroyTask(start.taskId);

          assert.deepEqual(result, {
            exitCode: 4,
            signal: 0,
            oomKilled: false,
            err: "",
          });
          assert.equal(text(stdout), "exiting with 4\n");
          assert.deepEqual(await session.leftovers([id]), []);
        });
      },
    );

    await t.step(
      "StopTask and InspectTask sent before StartTask answers act on the task",
      async () => {
        const driver = session.nomad.plugin.driver;
        await withRawStarts(session, async (raw) => {
          const start = await raw.prepare(
            { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
            sleeperFiles,
          );
          // Sent in one tick, long before StartTask can answer.
          const started = raw.send(start);
          const inspected = invoke(driver, DriverService.inspectTask, {
            taskId: start.taskId,
          });
          const stopped = session.nomad.stopTask(start.taskId, 1000);
          const [response, status] = await withDeadline(
            Promise.all([started, inspected, stopped]),
            30_000,
            "StartTask, InspectTask and StopTask",
          );
          // StopTask returns once the task has exited.
          const exit = await session.waitTask(start.taskId, 1000);
          await logsDone(start);
          await session.destroyTask(start.taskId);
          const id = containerIdOf(response);

          // InspectTask waited for the start and saw the task.
          assert.equal(status.task?.id, start.taskId);
          assert.equal(status.task?.state, TaskState.RUNNING);
          assert.equal(status.driver?.attributes.container_id, id);
          // The JVM is its pid namespace's init: a SIGINT sent before it
          // has installed its handler would be dropped, and the stop end
          // in the SIGKILL after the timeout (137). StopTask waits for the
          // handler, so the JVM shuts down as asked and runs its hooks.
          assert.equal(exit.exitCode, 130, `exit code ${exit.exitCode}`);
          assert.match(start.stderr.text(), /shutdown hook ran/);
          assert.deepEqual(await session.leftovers([id]), []);
        });
      },
    );

    await t.step(
      "repeated and overlapping calls on one task succeed",
      async () => {
        const driver = session.nomad.plugin.driver;
        await withRawStarts(session, async (raw) => {
          const start = await raw.prepare(
            { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
            sleeperFiles,
          );
          const started = raw.send(start);
          // The same id again while the first start is in flight...
          const early = grpcError(
            invoke(driver, DriverService.startTask, { task: start.task }),
          );
          early.catch(() => {}); // Awaited below, after the first start.
          const id = containerIdOf(await started);
          await start.stdout.waitForText("sleeping\n", 30_000);
          // ...and while the task runs.
          const late = await grpcError(
            invoke(driver, DriverService.startTask, { task: start.task }),
          );
          for (const error of [await early, late]) {
            assert.equal(error.code, Code.ALREADY_EXISTS, error.message);
            assert.match(error.details, /a task with this id already exists/);
          }

          // The refused starts did not disturb the running task.
          const inspected = await invoke(driver, DriverService.inspectTask, {
            taskId: start.taskId,
          });
          assert.equal(inspected.task?.state, TaskState.RUNNING);
          assert.equal(inspected.driver?.attributes.container_id, id);
          assert.ok((await listContainers(crunRoot)).includes(id));
          assert.equal(start.stdout.text(), "sleeping\n");

          const exit = session.waitTask(start.taskId, 30_000);
          const stops = await Promise.allSettled(
            Array.from(
              { length: 3 },
              () => session.nomad.stopTask(start.taskId, STOP_TIMEOUT_MS),
            ),
          );
          assert.deepEqual(
            stops.map((s) => s.status),
            Array(3).fill("fulfilled"),
          );
          const result = await exit;
          const [, stderr] = await logsDone(start);
          assert.equal(result.exitCode, 130);
          // Three SIGINTs, one shutdown: the hooks ran once.
          assert.equal(count(text(stderr), "shutdown hook ran"), 1);

          const destroys = await Promise.allSettled(
            Array.from(
              { length: 3 },
              () => session.nomad.destroyTask(start.taskId, true),
            ),
          );
          assert.deepEqual(
            destroys.map((s) => s.status),
            Array(3).fill("fulfilled"),
          );
          await session.nomad.destroyTask(start.taskId, true);
          await session.nomad.stopTask(start.taskId, STOP_TIMEOUT_MS);

          const error = await grpcError(
            invoke(driver, DriverService.inspectTask, { taskId: start.taskId }),
          );
          assert.equal(error.code, Code.NOT_FOUND, error.message);
          assert.deepEqual(await session.leftovers([id]), []);
        });
      },
    );

    await t.step(
      "overlapping DestroyTask(force) of a running task share one removal",
      async () => {
        const job = await session.startJob(
          { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
          sleeperFiles,
        );
        await job.stdout.waitForText("sleeping\n", 30_000);
        const destroyedLines = () =>
          session.stderrLines.filter((line) => {
            const entry = parseLogLine(line);
            return entry?.["@message"] === "task destroyed" &&
              entry.task_id === job.taskId;
          });

        const destroys = await Promise.allSettled(
          Array.from(
            { length: 3 },
            () => session.destroyTask(job.taskId, true),
          ),
        );
        await logsDone(job);

        assert.deepEqual(
          destroys.map((s) => s.status === "rejected" ? String(s.reason) : ""),
          ["", "", ""],
        );
        assert.equal(destroyedLines().length, 1, destroyedLines().join("\n"));
        // DestroyTask(force) kills without a grace period.
        assert.doesNotMatch(job.stderr.text(), /shutdown hook ran/);
        assert.deepEqual(await session.leftovers([job.containerId]), []);
      },
    );
  },
);

sessionTest(
  "isolation: tasks that flood, fail or run out of memory",
  async (c) => {
    const { t, session, jars, crunRoot } = c;

    await t.step(
      "do not disturb a sleeper started with them",
      async () => {
        const floodLines = 500_000;
        const started = await Promise.allSettled([
          session.startJob(
            { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
            { "local/sleeper.jar": jars.sleeper },
          ),
          session.startJob(
            {
              name: "flood",
              config: { jar_path: "local/flood.jar", args: [`${floodLines}`] },
            },
            { "local/flood.jar": jars.flood },
          ),
          session.startJob(
            {
              name: "exitcode",
              config: { jar_path: "local/exitcode.jar", args: ["9"] },
            },
            { "local/exitcode.jar": jars.exitcode },
          ),
          session.startJob(
            {
              name: "memhog",
              config: {
                jar_path: "local/memhog.jar",
                jvm_options: ["-Xmx512m"],
              },
              memoryMb: 64,
            },
            { "local/memhog.jar": jars.memhog },
          ),
        ]);
        const jobs = started.flatMap((s) =>
          s.status === "fulfilled" ? [s.value] : []
        );
        try {
          assert.deepEqual(
            started.map((s) => s.status === "rejected" ? String(s.reason) : ""),
            ["", "", "", ""],
          );
          const [sleeper, flood, exitcode, memhog] = jobs;
          await sleeper.stdout.waitForText("sleeping\n", 30_000);

          const [floodExit, exitcodeExit, memhogExit] = await Promise.all(
            [flood, exitcode, memhog].map((job) =>
              session.waitTask(job.taskId)
            ),
          );
          const [floodOut, floodErr] = await logsDone(flood);
          const [exitcodeOut] = await logsDone(exitcode);
          const [memhogOut, memhogErr] = await logsDone(memhog);

          assert.equal(exitcodeExit.exitCode, 9);
          assert.equal(text(exitcodeOut), "exiting with 9\n");

          assert.equal(floodExit.exitCode, 0, text(floodErr));
          assert.equal(floodOut.length, floodLines * 100);
          assert.equal(firstBadFloodByte(floodOut), -1, "first wrong byte");
          assert.equal(text(floodErr), `flooded ${floodLines * 100} bytes\n`);

          // The kernel's OOM killer (137, SIGKILL; what this host does) or
          // the JVM's own OutOfMemoryError (1). oomKilled is not reported
          // yet, so it is not checked.
          const oomKilled = memhogExit.exitCode === 137 &&
            memhogExit.signal === 9;
          const oomError = memhogExit.exitCode === 1 &&
            /OutOfMemoryError/.test(text(memhogErr));
          assert.ok(
            oomKilled || oomError,
            `exit ${JSON.stringify(memhogExit)}: ` +
              `${text(memhogOut)}${text(memhogErr)}`,
          );
          assert.match(text(memhogOut), /^allocated 8 MiB\n/);

          // The sleeper ran through all of it and still runs.
          const inspected = await invoke(
            session.nomad.plugin.driver,
            DriverService.inspectTask,
            { taskId: sleeper.taskId },
          );
          assert.equal(inspected.task?.state, TaskState.RUNNING);
          assert.ok(
            (await listContainers(crunRoot)).includes(sleeper.containerId),
          );
          assert.equal(sleeper.stdout.text(), "sleeping\n");

          const exit = session.waitTask(sleeper.taskId, 30_000);
          await session.nomad.stopTask(sleeper.taskId, STOP_TIMEOUT_MS);
          const sleeperExit = await exit;
          const [, sleeperErr] = await logsDone(sleeper);
          assert.equal(sleeperExit.exitCode, 130);
          assert.match(text(sleeperErr), /shutdown hook ran/);
        } finally {
          await Promise.all(jobs.map((job) => session.destroyTask(job.taskId)));
        }
        assert.deepEqual(
          await session.leftovers(jobs.map((job) => job.containerId)),
          [],
        );
      },
    );
  },
);
