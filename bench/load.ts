/**
 * Many tasks at once through the real plugin, the way a Nomad client
 * drives it when a batch job lands or a node comes back: N sleeper JVMs
 * started at once over gRPC, each waited on (WaitTask), and once all have
 * printed their first line, stopped (SIGINT) and destroyed.
 *
 * Each round of N is paired with a floor round: the same N containers,
 * from the same spec Milo wrote, created under conmon and started by the
 * bench itself with no plugin involved, so the difference is Milo's own
 * cost per task. After every round the bench checks that no container,
 * bundle, exit file, monitor, task cgroup or plugin descriptor is left.
 *
 * ```sh
 * deno task load [--tasks N[,N...]] [--cycles C] [--json] [--docs|--no-docs]
 * deno task soak [--cycles 1000] [--concurrency 50] [--json] [--docs|--no-docs]
 * ```
 *
 * `--tasks` defaults to 1,10,25,50,100; N=1, the reference, always runs.
 * `--cycles` is the number of rounds per N (default 3; N=1 repeats until
 * it has 20 samples). The soak runs `--cycles` start/stop cycles (default
 * 1000), `--concurrency` (default 50) at a time. A full run (no `--tasks`;
 * the soak at its default size) writes its figures into docs/performance.md
 * and the chart into docs/load.svg; `--docs` and `--no-docs` decide instead.
 * Exits 1 when any task failed or anything leaked.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { count } from "./_args.ts";
import { renderChart } from "./_chart.ts";
import { DOCS_DIR, writeDocsSection } from "./_docs.ts";
import { findLeaks, leakCount, type Leaks, type LeakScope } from "./_leaks.ts";
import { Inspector, inspectorPort } from "./_inspector.ts";
import { describeFds, sampleProcess } from "./_proc.ts";
import { selfCommand } from "../main.ts";
import { percentile } from "./_stats.ts";
import { probeCgroupLayout } from "../src/crun/cgroup_layout.ts";
import { ContainerRuntime } from "../src/crun/container_runtime.ts";
import { ExitWatcher } from "../src/crun/exit_watcher.ts";
import { which } from "../src/driver/which.ts";
import { removeIfExists } from "../src/fs/remove.ts";
import { removeBundle } from "../src/oci/bundle.ts";
import { writeTaskBundle } from "../src/oci/shared_rootfs.ts";
import { type AllocTask, makeAllocDir } from "../src/nomad/alloc_dir.ts";
import type { JobTask } from "../src/nomad/task_config.ts";
import { FifoReader } from "../tests/e2e/_fifo_reader.ts";
import { forceRemoveAll } from "../tests/e2e/_leftovers.ts";
import { buildJars, E2ESession, withDeadline } from "../tests/e2e/harness.ts";

const USAGE = `usage:
  deno task load [--tasks N[,N...]] [--cycles C] [--json] [--docs|--no-docs]
  deno task soak [--cycles C] [--concurrency K] [--json] [--docs|--no-docs]`;

/** Stops with `message` and the usage, not a stack trace. */
function refuse(message: string): never {
  console.error(`load: ${message}\n${USAGE}`);
  Deno.exit(2);
}

function options() {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        tasks: { type: "string", default: "1,10,25,50,100" },
        cycles: { type: "string" },
        concurrency: { type: "string", default: "50" },
        soak: { type: "boolean" },
        json: { type: "boolean" },
        docs: { type: "boolean" },
        "no-docs": { type: "boolean" },
      },
    });
    const soak = values.soak ?? false;
    const sizes = values.tasks.split(",").map((n) => count("--tasks", n));
    return {
      values,
      soak,
      cycles: count("--cycles", values.cycles ?? (soak ? "1000" : "3")),
      concurrency: count("--concurrency", values.concurrency),
      sizes: [...new Set([1, ...sizes])].sort((a, b) => a - b),
      // By default only full runs (no --tasks; the soak at its default
      // size) write docs/performance.md, so a quick run leaves it alone.
      writeDocs: !values["no-docs"] &&
        (values.docs ??
          (soak
            ? values.cycles === undefined && values.concurrency === "50"
            : !Deno.args.some((arg) => arg.startsWith("--tasks")))),
    };
  } catch (error) {
    refuse((error as Error).message);
  }
}

const {
  values,
  soak: SOAK,
  cycles: CYCLES,
  concurrency: CONCURRENCY,
  sizes: SIZES,
  writeDocs: WRITE_DOCS,
} = options();
/** N=1 repeats until it has this many samples. */
const MIN_SAMPLES = 20;
const READY_LINE = "sleeping\n";
const MEMORY_MB = 256;
const STOP_TIMEOUT_MS = 10_000;
/** Exit code of a JVM ended by SIGINT (128 + 2), Nomad's stop signal. */
const STOPPED_EXIT = 130;
const TASK_TIMEOUT_MS = 180_000;

if (Deno.uid() !== 0) refuse("the load bench needs root (crun, conmon)");
const PATH = Deno.env.get("PATH") ?? "/usr/bin";
const crunPath = which("crun", PATH);
const conmonPath = which("conmon", PATH);
if (!crunPath || !conmonPath) refuse("needs crun and conmon on PATH");

const jars = await buildJars();
// The soak watches the plugin's JavaScript heap through its inspector.
const port = inspectorPort();
const [deno, run, ...rest] = selfCommand();
const session = await E2ESession.start(
  SOAK ? { command: [deno, run, `--inspect=127.0.0.1:${port}`, ...rest] } : {},
);
const inspector = SOAK ? await Inspector.connect(port) : undefined;

/** The plugin's V8 heap in use after a full GC, MiB. */
async function heapAfterGc(): Promise<number> {
  await inspector!.send("HeapProfiler.collectGarbage");
  const { usedSize } = await inspector!.send<{ usedSize: number }>(
    "Runtime.getHeapUsage",
  );
  return usedSize / 2 ** 20;
}
const pluginPid = session.nomad.plugin.process.pid;
const work = await Deno.makeTempDir({ prefix: "milo-load-" });
const errors: string[] = [];

// --- one task through the plugin ------------------------------------------

/** A task's alloc dir and log readers, made before the clock starts. */
interface Prepared {
  job: JobTask;
  alloc: AllocTask;
  stdout: FifoReader;
  stderr: FifoReader;
}

/** Timings of one task, ms from StartTask's request going out. */
interface TaskTimes {
  /** StartTask's round trip. */
  startMs: number;
  /** Until the JVM's first line on stdout. */
  readyMs: number;
  /** performance.now() when StartTask answered. */
  answeredAt: number;
}

async function prepare(root: string, name: string): Promise<Prepared> {
  const job = {
    name,
    config: { jar_path: "local/sleeper.jar" },
    memoryMb: MEMORY_MB,
  };
  const alloc = await makeAllocDir(root, crypto.randomUUID(), name);
  await Deno.copyFile(jars.sleeper, join(alloc.localDir, "sleeper.jar"));
  return {
    job,
    alloc,
    stdout: new FifoReader(alloc.stdoutFifo),
    stderr: new FifoReader(alloc.stderrFifo),
  };
}

/** Ends the readers of a task that never started (nothing writes). */
async function release(task: Prepared): Promise<void> {
  await Promise.all([task.stdout.release(), task.stderr.release()]);
}

/** A started task: what is needed to stop it and what it took. */
interface Started {
  taskId: string;
  containerId: string;
  times: TaskTimes;
  exit: Promise<{ exitCode: number; err: string }>;
}

/** StartTask, WaitTask, then the first line. Errors are recorded. */
async function startThroughMilo(task: Prepared): Promise<Started | null> {
  let taskId: string | undefined;
  try {
    const started = await session.nomad.startTask(task.alloc, task.job);
    const answeredAt = performance.now();
    taskId = started.taskId;
    const exit = session.nomad.waitTask(taskId);
    exit.catch(() => {});
    const state = JSON.parse(
      new TextDecoder().decode(started.response.handle?.driverState),
    );
    await task.stdout.waitForText(READY_LINE, TASK_TIMEOUT_MS);
    return {
      taskId,
      containerId: String(state.containerId),
      exit,
      times: {
        startMs: answeredAt - started.sentAt,
        readyMs: performance.now() - started.sentAt,
        answeredAt,
      },
    };
  } catch (error) {
    errors.push(`start of ${task.job.name}: ${describe(error)}`);
    if (taskId) await session.destroyTask(taskId, true).catch(() => {});
    await release(task);
    return null;
  }
}

/** StopTask, the exit, the logs' end, DestroyTask. Errors are recorded. */
async function stopThroughMilo(task: Prepared, started: Started) {
  try {
    await session.nomad.stopTask(started.taskId, STOP_TIMEOUT_MS);
    const exit = await withDeadline(started.exit, TASK_TIMEOUT_MS, "WaitTask");
    if (exit.exitCode !== STOPPED_EXIT || exit.err) {
      errors.push(
        `${task.job.name} exited ${exit.exitCode} (${exit.err}), not ` +
          `${STOPPED_EXIT}`,
      );
    }
    await withDeadline(
      Promise.all([task.stdout.done, task.stderr.done]),
      TASK_TIMEOUT_MS,
      "the end of the log FIFOs",
    );
  } catch (error) {
    errors.push(`stop of ${task.job.name}: ${describe(error)}`);
  }
  try {
    await session.destroyTask(started.taskId, true);
  } catch (error) {
    errors.push(`destroy of ${task.job.name}: ${describe(error)}`);
  }
  await Deno.remove(task.alloc.allocDir, { recursive: true }).catch(() => {});
}

// --- the floor: the same containers without the plugin --------------------

const cgroups = await probeCgroupLayout();
const floorRuntime = new ContainerRuntime({
  crunPath,
  conmonPath,
  stateRoot: join(work, "crun"),
  unmountCgroup2: cgroups.unmountForCrun ?? undefined,
});
await Deno.mkdir(join(work, "exits"));
await Deno.mkdir(join(work, "bundles"));
const floorExits = new ExitWatcher(join(work, "exits"));

/** A spec Milo wrote, and the alloc dir and container id it names. */
interface CapturedSpec {
  text: string;
  allocDir: string;
  containerId: string;
  /** The task's name, part of its directories' paths. */
  taskName: string;
}

let captured: CapturedSpec | undefined;

/** Copies the spec of a running Milo task, for the floor to reuse. */
async function capture(task: Prepared, started: Started): Promise<void> {
  const text = await Deno.readTextFile(
    join(session.stateDir, "bundles", started.containerId, "config.json"),
  );
  captured = {
    text,
    allocDir: task.alloc.allocDir,
    containerId: started.containerId,
    taskName: task.job.name,
  };
}

/** The captured spec for another alloc dir and container id. */
function specFor(alloc: AllocTask, id: string): string {
  const spec = captured!;
  return spec.text.replaceAll(spec.allocDir, alloc.allocDir)
    .replaceAll(spec.containerId, id);
}

interface FloorStarted {
  id: string;
  bundle: string;
  times: TaskTimes;
  exit: Promise<unknown>;
}

let floorSeq = 0;

/** Writes the bundle (not timed); then create and start are timed. */
function floorBundle(task: Prepared) {
  const id = `floor-${floorSeq++}`;
  const bundle = join(work, "bundles", id);
  writeTaskBundle(bundle, specFor(task.alloc, id));
  return { id, bundle };
}

/**
 * Creates and starts one floor container. Its latency counts from
 * `requestedAt`, when the round asked for all N at once: the bench's own
 * thread starts the N conmons one after another, as the plugin does, and
 * a task whose turn comes late has waited as long as a StartTask would.
 */
async function startFloor(
  task: Prepared,
  { id, bundle }: { id: string; bundle: string },
  requestedAt: number,
): Promise<FloorStarted | null> {
  try {
    const created = await floorRuntime.create(id, bundle, {
      stdoutPath: task.alloc.stdoutFifo,
      stderrPath: task.alloc.stderrFifo,
      exitDir: join(work, "exits"),
    });
    await floorRuntime.start(id);
    const answeredAt = performance.now();
    const exit = floorExits.waitForExit(id, created.monitorPid);
    exit.catch(() => {});
    await task.stdout.waitForText(READY_LINE, TASK_TIMEOUT_MS);
    return {
      id,
      bundle,
      exit,
      times: {
        startMs: answeredAt - requestedAt,
        readyMs: performance.now() - requestedAt,
        answeredAt,
      },
    };
  } catch (error) {
    errors.push(`floor start of ${id}: ${describe(error)}`);
    await floorRuntime.delete(id, { force: true }).catch(() => {});
    await release(task);
    return null;
  }
}

async function stopFloor(task: Prepared, started: FloorStarted) {
  try {
    await floorRuntime.kill(started.id, "SIGINT");
    await withDeadline(started.exit, TASK_TIMEOUT_MS, "the floor's exit");
    await Promise.all([task.stdout.done, task.stderr.done]);
    await floorRuntime.delete(started.id, { force: true });
  } catch (error) {
    errors.push(`floor stop of ${started.id}: ${describe(error)}`);
  }
  removeBundle(started.bundle);
  removeIfExists(join(work, "exits", started.id));
  await Deno.remove(task.alloc.allocDir, { recursive: true }).catch(() => {});
}

// --- rounds ---------------------------------------------------------------

/** What one round of N measured. */
interface Round {
  times: TaskTimes[];
  /** From the first request to the last StartTask answer. */
  startWallMs: number;
  /** From the first request to the last JVM's first line. */
  readyWallMs: number;
  /** Plugin CPU (user + system) over the whole round, ms. */
  pluginCpuMs?: number;
  /** Plugin RSS when all N were running, MiB. */
  runningRssMiB?: number;
  /** Milo's own steps per task (all but create and start), ms. */
  ownStepsMs?: number[];
  /** Each logged step's durations, ms. */
  stepsMs?: Record<string, number[]>;
  /**
   * From the first StartTask entering the plugin to the last conmon
   * being spawned, ms (from the log lines' ms timestamps).
   */
  spawnSpanMs?: number;
  leaks?: Leaks;
}

let nameSeq = 0;
const containerIds = new Set<string>();
let baselineFds: string[] = [];

function leakScope(): LeakScope {
  return {
    stateDir: session.stateDir,
    pid: pluginPid,
    baseline: baselineFds,
    containerIds,
  };
}

async function miloRound(n: number): Promise<Round> {
  const tasks = await Promise.all(
    Array.from({ length: n }, () => prepare(session.allocRoot, name())),
  );
  const logFrom = session.stderrLines.length;
  const before = await sampleProcess(pluginPid);
  const t0 = performance.now();
  const started = await Promise.all(tasks.map(startThroughMilo));
  const readyAt = performance.now();
  const running = await sampleProcess(pluginPid);
  const ok = started.filter((s): s is Started => s !== null);
  for (const s of ok) containerIds.add(s.containerId);
  if (!captured && ok.length > 0) await capture(tasks[0], ok[0]);
  await Promise.all(
    started.map((s, i) => s ? stopThroughMilo(tasks[i], s) : undefined),
  );
  const after = await sampleProcess(pluginPid);
  return {
    times: ok.map((s) => s.times),
    startWallMs: Math.max(...ok.map((s) => s.times.answeredAt)) - t0,
    readyWallMs: readyAt - t0,
    pluginCpuMs: after.cpuMs - before.cpuMs,
    runningRssMiB: running.rssMiB,
    ...loggedSteps(session.stderrLines.slice(logFrom)),
    leaks: await findLeaks(leakScope()),
  };
}

async function floorRound(n: number): Promise<Round> {
  // The spec names the task's directories, so the floor's tasks share
  // the captured task's name (in allocs of their own).
  const tasks = await Promise.all(
    Array.from(
      { length: n },
      () => prepare(join(work, "allocs"), captured!.taskName),
    ),
  );
  const bundles = tasks.map(floorBundle);
  const t0 = performance.now();
  const started = await Promise.all(
    tasks.map((task, i) => startFloor(task, bundles[i], t0)),
  );
  const readyAt = performance.now();
  const ok = started.filter((s): s is FloorStarted => s !== null);
  await Promise.all(
    started.map((s, i) => s ? stopFloor(tasks[i], s) : undefined),
  );
  return {
    times: ok.map((s) => s.times),
    startWallMs: Math.max(...ok.map((s) => s.times.answeredAt)) - t0,
    readyWallMs: readyAt - t0,
  };
}

function name(): string {
  return `load-${nameSeq++}`;
}

/**
 * The steps of each StartTask from the plugin's "task start timings"
 * debug lines, and Milo's own part: every step but create and start,
 * which wait for conmon and crun.
 */
function loggedSteps(lines: string[]) {
  const ownStepsMs: number[] = [];
  const stepsMs: Record<string, number[]> = {};
  const entered: number[] = [];
  const spawned: number[] = [];
  for (const line of lines) {
    if (!line.includes('"task start timings"')) continue;
    const entry = JSON.parse(line);
    let own = 0;
    for (const [key, value] of Object.entries(entry)) {
      if (!key.endsWith("_ms")) continue;
      const step = key.slice(0, -3);
      (stepsMs[step] ??= []).push(Number(value));
      if (step !== "create" && step !== "start") own += Number(value);
    }
    ownStepsMs.push(own);
    // Logged right after the start step; create began before both.
    const createdFrom = Date.parse(entry["@timestamp"]) - entry.start_ms -
      entry.create_ms;
    spawned.push(createdFrom);
    entered.push(createdFrom - own);
  }
  const spawnSpanMs = Math.max(...spawned) - Math.min(...entered);
  return { ownStepsMs, stepsMs, spawnSpanMs };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- the load test ----------------------------------------------------------

interface SizeResult {
  n: number;
  rounds: number;
  milo: Summary;
  floor: Summary;
  /** p50 StartTask latency minus p50 floor latency. */
  overheadMs: number;
  ownStepsMs: { p50: number; p95: number };
  /** p50 of each logged step, ms. */
  stepsP50: Record<string, number>;
  /**
   * The plugin's time per task from the first StartTask's arrival to the
   * last conmon's spawn (median over rounds): the serial part of a start.
   */
  spawnSpanPerTaskMs: number;
  /** (Milo's time to start all N − the floor's) / N, median of rounds. */
  amortizedOverheadMs: number;
  pluginCpuPerTaskMs: number;
  startWallMs: number;
  readyWallMs: number;
  tasksPerSecond: number;
  floorTasksPerSecond: number;
  runningRssMiB: number;
  idleRssMiB: number;
  errors: number;
  leaks: number;
  leakDetails: Partial<Leaks>;
}

interface Summary {
  startP50: number;
  startP95: number;
  readyP50: number;
  readyP95: number;
  samples: number;
}

function summarise(rounds: Round[]): Summary {
  const start = rounds.flatMap((r) => r.times.map((t) => t.startMs));
  const ready = rounds.flatMap((r) => r.times.map((t) => t.readyMs));
  return {
    startP50: percentile(start, 0.5),
    startP95: percentile(start, 0.95),
    readyP50: percentile(ready, 0.5),
    readyP95: percentile(ready, 0.95),
    samples: start.length,
  };
}

const median = (list: number[]) => percentile(list, 0.5);

async function loadTest(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    const roundsOf = n === 1 ? Math.max(CYCLES, MIN_SAMPLES) : CYCLES;
    const milo: Round[] = [];
    const floor: Round[] = [];
    const leaks: Leaks[] = [];
    const errorsBefore = errors.length;
    for (let cycle = 0; cycle < roundsOf; cycle++) {
      // Alternate the order, so a trend in the host's load hits both.
      if (cycle % 2 === 0) {
        milo.push(await miloRound(n));
        floor.push(await floorRound(n));
      } else {
        floor.push(await floorRound(n));
        milo.push(await miloRound(n));
      }
      leaks.push(milo.at(-1)!.leaks!);
      progress(`N=${n} round ${cycle + 1}/${roundsOf}`);
    }
    const m = summarise(milo);
    const f = summarise(floor);
    const own = milo.flatMap((r) => r.ownStepsMs ?? []);
    const idle = await sampleProcess(pluginPid);
    const merged = mergeLeaks(leaks);
    results.push({
      n,
      rounds: roundsOf,
      milo: m,
      floor: f,
      overheadMs: m.startP50 - f.startP50,
      ownStepsMs: { p50: percentile(own, 0.5), p95: percentile(own, 0.95) },
      stepsP50: stepMedians(milo),
      spawnSpanPerTaskMs: median(milo.map((r) => r.spawnSpanMs! / n)),
      amortizedOverheadMs: median(
        milo.map((r, i) => (r.startWallMs - floor[i].startWallMs) / n),
      ),
      pluginCpuPerTaskMs: milo.reduce((s, r) => s + r.pluginCpuMs!, 0) /
        (n * roundsOf),
      startWallMs: median(milo.map((r) => r.startWallMs)),
      readyWallMs: median(milo.map((r) => r.readyWallMs)),
      tasksPerSecond: n / (median(milo.map((r) => r.startWallMs)) / 1000),
      floorTasksPerSecond: n /
        (median(floor.map((r) => r.startWallMs)) / 1000),
      runningRssMiB: Math.max(...milo.map((r) => r.runningRssMiB!)),
      idleRssMiB: idle.rssMiB,
      errors: errors.length - errorsBefore,
      leaks: leakCount(merged),
      leakDetails: Object.fromEntries(
        Object.entries(merged).filter(([, list]) => list.length > 0),
      ),
    });
  }
  return results;
}

function stepMedians(rounds: Round[]): Record<string, number> {
  const all: Record<string, number[]> = {};
  for (const round of rounds) {
    for (const [step, list] of Object.entries(round.stepsMs ?? {})) {
      (all[step] ??= []).push(...list);
    }
  }
  return Object.fromEntries(
    Object.entries(all).map(([step, list]) => [step, median(list)]),
  );
}

function mergeLeaks(all: Leaks[]): Leaks {
  const merged: Leaks = {
    containers: [],
    bundles: [],
    exitFiles: [],
    monitors: [],
    cgroups: [],
    fds: [],
  };
  for (const leaks of all) {
    for (const key of Object.keys(merged) as (keyof Leaks)[]) {
      (merged[key] as unknown[]).push(...leaks[key]);
    }
  }
  return merged;
}

function progress(text: string): void {
  if (!values.json) console.error(`  ${text}`);
}

// --- the soak ---------------------------------------------------------------

interface SoakSample {
  cycles: number;
  rssMiB: number;
  /** V8 heap in use after a forced full GC. */
  heapMiB: number;
  fds: number;
}

interface SoakResult {
  cycles: number;
  concurrency: number;
  wallMs: number;
  startP50: number;
  startP95: number;
  errors: number;
  idleBefore: { rssMiB: number; heapMiB: number; fds: number };
  idleAfter: { rssMiB: number; heapMiB: number; fds: number };
  peakRssMiB: number;
  samples: SoakSample[];
  leaks: number;
  leakDetails: Partial<Leaks>;
}

async function soak(): Promise<SoakResult> {
  const heapBefore = await heapAfterGc();
  const before = await sampleProcess(pluginPid);
  const samples: SoakSample[] = [];
  const times: TaskTimes[] = [];
  let next = 0;
  let done = 0;
  const every = Math.max(1, Math.round(CYCLES / 40));
  const t0 = performance.now();
  const slot = async () => {
    while (next < CYCLES) {
      next++;
      const task = await prepare(session.allocRoot, name());
      const started = await startThroughMilo(task);
      if (started) {
        containerIds.add(started.containerId);
        times.push(started.times);
        await stopThroughMilo(task, started);
      }
      const finished = ++done;
      if (finished % every === 0) {
        const heapMiB = await heapAfterGc();
        const sample = await sampleProcess(pluginPid);
        samples.push({
          cycles: finished,
          rssMiB: sample.rssMiB,
          heapMiB,
          fds: sample.fds,
        });
        if (finished % (every * 4) === 0) {
          progress(`${finished}/${CYCLES} cycles`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, slot));
  const wallMs = performance.now() - t0;
  const leaks = await findLeaks(leakScope());
  const heapAfter = await heapAfterGc();
  const after = await sampleProcess(pluginPid);
  const start = times.map((t) => t.startMs);
  return {
    cycles: CYCLES,
    concurrency: CONCURRENCY,
    wallMs,
    startP50: percentile(start, 0.5),
    startP95: percentile(start, 0.95),
    errors: errors.length,
    idleBefore: {
      rssMiB: before.rssMiB,
      heapMiB: heapBefore,
      fds: before.fds,
    },
    idleAfter: { rssMiB: after.rssMiB, heapMiB: heapAfter, fds: after.fds },
    peakRssMiB: after.peakRssMiB,
    samples,
    leaks: leakCount(leaks),
    leakDetails: Object.fromEntries(
      Object.entries(leaks).filter(([, list]) => list.length > 0),
    ),
  };
}

// --- reporting --------------------------------------------------------------

function report(json: unknown, text: string): void {
  console.log(values.json ? JSON.stringify(json, null, 2) : text);
}

/**
 * The issue's bar: N=50's cost per task against N=1's (the largest N
 * when 50 was not run).
 */
function bar(results: SizeResult[]) {
  const one = results.find((r) => r.n === 1)!;
  const fifty = results.find((r) => r.n === 50) ??
    (results.length > 1 ? results.at(-1) : undefined);
  const ratio = (pick: (r: SizeResult) => number) =>
    fifty ? pick(fifty) / pick(one) : undefined;
  return {
    comparedN: fifty?.n,
    overheadAt1Ms: one.overheadMs,
    overheadAt50Ms: fifty?.overheadMs,
    overheadRatio50To1: ratio((r) => r.overheadMs),
    amortizedAt1Ms: one.amortizedOverheadMs,
    amortizedAt50Ms: fifty?.amortizedOverheadMs,
    amortizedRatio50To1: ratio((r) => r.amortizedOverheadMs),
    spawnSpanRatio50To1: ratio((r) => r.spawnSpanPerTaskMs),
    cpuPerTaskRatio50To1: ratio((r) => r.pluginCpuPerTaskMs),
    errors: errors.length,
    leaks: results.reduce((s, r) => s + r.leaks, 0),
  };
}

const ms = (value: number) =>
  Math.abs(value) < 10 ? value.toFixed(1) : value.toFixed(0);

function loadTables(results: SizeResult[]): string {
  const latency = [
    "| N | StartTask p50 | p95 | floor p50 | floor p95 | all started | floor: all started | tasks/s | floor tasks/s | all JVMs up | errors | leaks |",
    "| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
  ];
  const cost = [
    "| N | overhead p50 (Milo − floor) | overhead per task, amortized | plugin time to spawn, per task | Milo's steps p50 | plugin CPU per task | plugin RSS, N running |",
    "| --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const r of results) {
    latency.push(
      `| ${r.n} | ${ms(r.milo.startP50)} ms | ${ms(r.milo.startP95)} ms | ` +
        `${ms(r.floor.startP50)} ms | ${ms(r.floor.startP95)} ms | ` +
        `${ms(r.startWallMs)} ms | ${
          ms(r.n / r.floorTasksPerSecond * 1000)
        } ms | ` +
        `${r.tasksPerSecond.toFixed(1)} | ${
          r.floorTasksPerSecond.toFixed(1)
        } | ` +
        `${ms(r.readyWallMs)} ms | ${r.errors} | ${r.leaks} |`,
    );
    cost.push(
      `| ${r.n} | ${ms(r.overheadMs)} ms | ${ms(r.amortizedOverheadMs)} ms | ` +
        `${ms(r.spawnSpanPerTaskMs)} ms | ${ms(r.ownStepsMs.p50)} ms | ` +
        `${ms(r.pluginCpuPerTaskMs)} ms | ${r.runningRssMiB.toFixed(0)} MiB |`,
    );
  }
  return [...latency, "", ...cost].join("\n");
}

function barText(results: SizeResult[]): string {
  const b = bar(results);
  if (b.comparedN === undefined) {
    return `Only N=1 ran. Errors: ${b.errors}. Leaks: ${b.leaks}.`;
  }
  const x = (value?: number) => value === undefined ? "-" : value.toFixed(2);
  return `Per task at N=${b.comparedN} against N=1: latency overhead ` +
    `${ms(b.overheadAt50Ms ?? NaN)} ms against ${ms(b.overheadAt1Ms)} ms ` +
    `(${x(b.overheadRatio50To1)}x); amortized overhead ` +
    `${ms(b.amortizedAt50Ms ?? NaN)} ms against ${ms(b.amortizedAt1Ms)} ms ` +
    `(${x(b.amortizedRatio50To1)}x); plugin time to spawn ` +
    `${x(b.spawnSpanRatio50To1)}x; plugin CPU ${x(b.cpuPerTaskRatio50To1)}x. ` +
    `Errors: ${b.errors}. Leaks: ${b.leaks}.`;
}

function loadText(results: SizeResult[]): string {
  return [
    loadTables(results),
    "",
    barText(results),
    errors.length ? "errors:\n  " + errors.slice(0, 20).join("\n  ") : "",
  ].join("\n");
}

function loadDocs(results: SizeResult[]): string {
  const args = Deno.args.length ? ` ${Deno.args.join(" ")}` : "";
  return [
    `Written by \`deno task load${args}\` on ${host.date} ` +
    `(${host.cpus} CPUs; ${
      host.hybridWorkaround ? "hybrid-cgroup wrapper" : "cgroup v2"
    }). ` +
    `Rounds per N: ${
      results.map((r) => `${r.n}: ${r.rounds}`).join(", ")
    }; each Milo round is paired with a floor round.`,
    "",
    loadTables(results),
    "",
    barText(results),
    "",
    "![StartTask latency, Milo's cost per task and start rate against N](load.svg)",
  ].join("\n");
}

async function chart(results: SizeResult[]): Promise<string> {
  const points = (series: string, pick: (r: SizeResult) => number) =>
    results.map((r) => ({ n: r.n, value: pick(r), series }));
  return await renderChart(
    `Milo: N tasks started at once (${host.cpus} CPUs, ${host.date})`,
    [
      {
        title: "StartTask latency per task",
        yTitle: "ms",
        points: [
          ...points("Milo p50", (r) => r.milo.startP50),
          ...points("Milo p95", (r) => r.milo.startP95),
          ...points("floor p50", (r) => r.floor.startP50),
          ...points("Milo p50 − floor p50", (r) => r.overheadMs),
        ],
      },
      {
        title: "Milo's cost per task",
        yTitle: "ms",
        points: [
          ...points("amortized overhead", (r) => r.amortizedOverheadMs),
          ...points("plugin time to spawn", (r) => r.spawnSpanPerTaskMs),
          ...points("plugin CPU (whole cycle)", (r) => r.pluginCpuPerTaskMs),
        ],
      },
      {
        title: "Start rate",
        yTitle: "tasks per second",
        points: [
          ...points("Milo", (r) => r.tasksPerSecond),
          ...points("floor", (r) => r.floorTasksPerSecond),
        ],
      },
    ],
  );
}

/**
 * Growth over the soak, idle before against idle after: the JavaScript
 * heap after a full GC may move by GC and JIT noise (2 MiB or 10 %),
 * descriptors not at all.
 */
function soakGrowth(r: SoakResult) {
  const heapMiB = r.idleAfter.heapMiB - r.idleBefore.heapMiB;
  const fds = r.idleAfter.fds - r.idleBefore.fds;
  const heapGrew = heapMiB > Math.max(2, 0.1 * r.idleBefore.heapMiB);
  return { heapMiB, fds, grew: heapGrew || fds > 0 };
}

function soakText(r: SoakResult): string {
  const growth = soakGrowth(r);
  return [
    `soak: ${r.cycles} cycles, ${r.concurrency} at a time, ` +
    `${(r.wallMs / 1000).toFixed(0)} s`,
    `StartTask p50 ${ms(r.startP50)} ms, p95 ${ms(r.startP95)} ms`,
    `plugin idle before: heap ${r.idleBefore.heapMiB.toFixed(1)} MiB, ` +
    `RSS ${r.idleBefore.rssMiB.toFixed(1)} MiB, ${r.idleBefore.fds} fds; ` +
    `after: heap ${r.idleAfter.heapMiB.toFixed(1)} MiB, ` +
    `RSS ${r.idleAfter.rssMiB.toFixed(1)} MiB, ${r.idleAfter.fds} fds; ` +
    `peak RSS ${r.peakRssMiB.toFixed(1)} MiB`,
    `growth: heap ${growth.heapMiB.toFixed(2)} MiB, fds ${growth.fds}` +
    (growth.grew ? " (beyond noise)" : " (within noise)"),
    `errors: ${r.errors}${
      errors.length ? "\n  " + errors.slice(0, 20).join("\n  ") : ""
    }`,
    `leaks: ${r.leaks} ${JSON.stringify(r.leakDetails)}`,
  ].join("\n");
}

function soakDocs(r: SoakResult): string {
  const args = Deno.args.filter((arg) => arg !== "--soak");
  const growth = soakGrowth(r);
  const at = (q: number) =>
    r.samples[Math.min(r.samples.length - 1, Math.floor(q))];
  const marks = [0, 0.25, 0.5, 0.75, 1].map((q) =>
    at(q * (r.samples.length - 1))
  );
  const row = (name: string, pick: (s: SoakSample) => string) =>
    `| ${name} | ${marks.map(pick).join(" | ")} |`;
  return [
    `Written by \`deno task soak${args.length ? " " + args.join(" ") : ""}\` ` +
    `on ${host.date} (${host.cpus} CPUs).`,
    "",
    "| | value |",
    "| --- | --: |",
    `| start/stop cycles | ${r.cycles}, ${r.concurrency} at a time |`,
    `| wall time | ${(r.wallMs / 1000).toFixed(0)} s |`,
    `| StartTask p50 / p95 | ${ms(r.startP50)} ms / ${ms(r.startP95)} ms |`,
    `| errors | ${r.errors} |`,
    `| leaks after the soak | ${r.leaks} |`,
    `| plugin JS heap after GC, idle: before → after | ` +
    `${r.idleBefore.heapMiB.toFixed(1)} → ${
      r.idleAfter.heapMiB.toFixed(1)
    } MiB |`,
    `| plugin RSS, idle: before → after | ${r.idleBefore.rssMiB.toFixed(1)} → ${
      r.idleAfter.rssMiB.toFixed(1)
    } MiB (peak ${r.peakRssMiB.toFixed(1)}) |`,
    `| plugin descriptors, idle: before → after | ${r.idleBefore.fds} → ` +
    `${r.idleAfter.fds} |`,
    `| growth | ${growth.grew ? "**beyond noise**" : "none beyond noise"} |`,
    "",
    "The plugin during the soak (up to " +
    `${r.concurrency} tasks running at each sample):`,
    "",
    row("after cycle", (s) => String(s.cycles)),
    `| --- | ${marks.map(() => "--:").join(" | ")} |`,
    row("JS heap after GC (MiB)", (s) => s.heapMiB.toFixed(1)),
    row("RSS (MiB)", (s) => s.rssMiB.toFixed(1)),
    row("descriptors", (s) => String(s.fds)),
  ].join("\n");
}

// --- run --------------------------------------------------------------------

const host = {
  cpus: navigator.hardwareConcurrency,
  crun: crunPath,
  conmon: conmonPath,
  hybridWorkaround: cgroups.unmountForCrun !== null &&
    cgroups.unmountForCrun !== undefined,
  date: new Date().toISOString().slice(0, 10),
};

let cleaned: Promise<void> | undefined;

/**
 * Ends the plugin (as Nomad's Kill does) and removes whatever the run's
 * containers left, the floor's too; once, however often it is called.
 */
function cleanUp(): Promise<void> {
  cleaned ??= (async () => {
    inspector?.close();
    await session.close();
    await forceRemoveAll(work);
    await floorExits.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  })();
  return cleaned;
}

// Ctrl-C: the plugin ignores SIGINT (as Nomad's plugins must), so the
// bench ends it and its tasks itself.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    console.error("load: interrupted; removing the run's tasks and plugin");
    void cleanUp().finally(() => Deno.exit(130));
  });
}

let exitCode = 0;
try {
  // Warm-up, not counted: page cache, JIT of Milo's code, the shared
  // rootfs and spec template; then the plugin's idle descriptors.
  await miloRound(1);
  await floorRound(1);
  baselineFds = await describeFds(pluginPid);
  errors.length = 0;

  if (SOAK) {
    const result = await soak();
    report({ host, soak: result, errors }, soakText(result));
    if (WRITE_DOCS) await writeDocsSection("soak", soakDocs(result));
    if (result.errors > 0 || result.leaks > 0 || soakGrowth(result).grew) {
      exitCode = 1;
    }
  } else {
    const results = await loadTest();
    report(
      { host, sizes: results, bar: bar(results), errors },
      loadText(results),
    );
    if (WRITE_DOCS) {
      await Deno.writeTextFile(
        join(DOCS_DIR, "load.svg"),
        await chart(results),
      );
      await writeDocsSection("load", loadDocs(results));
    }
    if (errors.length > 0 || results.some((r) => r.leaks > 0)) exitCode = 1;
  }
} finally {
  await cleanUp();
}
Deno.exit(exitCode);
