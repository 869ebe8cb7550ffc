/**
 * The task start path against its physical floor, in one run:
 *
 * - bundle creation per task, the first version (a rootfs per bundle,
 *   pretty JSON through a temporary file) against the current one (a
 *   spec template and a shared rootfs per runtime, one config.json);
 * - start latency to the JVM's first output line: through Milo (the real
 *   plugin over gRPC: StartTask until "Hello from Milo" arrives on the
 *   task's stdout FIFO), against the same bundle started with `crun run`
 *   (the raw floor) and with conmon plus `crun start` (the monitor floor);
 * - Milo's own steps, from the plugin's "task start timings" log lines.
 *
 * Runs are interleaved, so noise hits all three alike.
 *
 * ```sh
 * deno task bench:start [--rounds N] [--bundles N] [--json]
 * ```
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { count } from "./_args.ts";
import { percentile } from "./_stats.ts";
import { withMountRemoved } from "../src/crun/_spawn.ts";
import { probeCgroupLayout } from "../src/crun/cgroup_layout.ts";
import { ContainerRuntime } from "../src/crun/container_runtime.ts";
import { ExitWatcher } from "../src/crun/exit_watcher.ts";
import { BundleFactory } from "../src/driver/bundle_factory.ts";
import { which } from "../src/driver/which.ts";
import { RuntimeDetector } from "../src/java/runtime_detector.ts";
import { removeBundle, writeBundle } from "../src/oci/bundle.ts";
import { probeHostLayout } from "../src/oci/host_layout.ts";
import { writeTaskBundle } from "../src/oci/shared_rootfs.ts";
import { buildSpec, type ContainerSpecInput } from "../src/oci/spec.ts";
import { FifoReader } from "../tests/e2e/_fifo_reader.ts";
import { buildJars, E2ESession } from "../tests/e2e/harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "30" },
    bundles: { type: "string", default: "300" },
    json: { type: "boolean" },
  },
});
const ROUNDS = count("--rounds", values.rounds);
const BUNDLES = count("--bundles", values.bundles);
const FIRST_LINE = "Hello from Milo";
const MEMORY_MB = 256;

if (Deno.uid() !== 0) {
  throw new Error("start_latency needs root (crun, conmon)");
}
const path = Deno.env.get("PATH") ?? "/usr/bin";
const crunPath = which("crun", path);
const conmonPath = which("conmon", path);
if (!crunPath || !conmonPath) throw new Error("needs crun and conmon on PATH");

const work = await Deno.makeTempDir({ prefix: "milo-start-bench-" });
const layout = await probeHostLayout();
const cgroups = await probeCgroupLayout();
const unmount = cgroups.unmountForCrun ?? undefined;
const detector = new RuntimeDetector({
  javaHome: Deno.env.get("JAVA_HOME"),
  path,
  watch: false,
});
const java = await detector.select();
await detector.close();
const jars = await buildJars();

// --- bundle creation -------------------------------------------------------

/** The input Milo builds for the hello task (see src/driver/launch.ts). */
function taskInput(alloc: string, id: string): ContainerSpecInput {
  return {
    args: [java.java, "-jar", "/local/hello.jar"],
    env: {
      PATH: `${java.home}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:` +
        "/usr/bin:/sbin:/bin",
      JAVA_HOME: java.home,
      LANG: "C.UTF-8",
      NOMAD_TASK_DIR: "/local",
      NOMAD_ALLOC_DIR: "/alloc",
      NOMAD_SECRETS_DIR: "/secrets",
    },
    cwd: "/",
    user: { uid: 65534, gid: 65534 },
    hostname: id.slice(0, 63),
    runtimeHome: java.home,
    taskMounts: {
      localDir: join(alloc, "task/local"),
      secretsDir: join(alloc, "task/secrets"),
      allocDir: join(alloc, "alloc"),
    },
    memoryLimitBytes: MEMORY_MB * 1024 * 1024,
    cpuShares: 100,
    cgroupsPath: `/milo/${id}`,
  };
}

const bundlesDir = join(work, "bundles");
await Deno.mkdir(bundlesDir);
const factory = new BundleFactory(layout, bundlesDir, join(work, "rootfs"));
const template = await factory.template(java.home);

/** Times one bundle write (removal not counted), the first version's or now. */
async function timeBundle(id: string, naive: boolean): Promise<number> {
  const start = performance.now();
  const dir = naive ? join(bundlesDir, id) : factory.bundleDir(id);
  if (naive) {
    await writeBundle(dir, buildSpec(taskInput(work, id), layout), layout);
  } else {
    await writeTaskBundle(dir, template.render(taskInput(work, id)));
  }
  const ms = performance.now() - start;
  await removeBundle(dir);
  return ms;
}

const naiveMs: number[] = [];
const currentMs: number[] = [];
for (let i = 0; i < BUNDLES; i++) {
  naiveMs.push(await timeBundle(`b${i}-n`, true));
  currentMs.push(await timeBundle(`b${i}-c`, false));
}

// --- start latency ---------------------------------------------------------

const runtime = new ContainerRuntime({
  crunPath,
  conmonPath,
  stateRoot: join(work, "crun"),
  unmountCgroup2: unmount,
});
await Deno.mkdir(join(work, "exits"));
const exits = new ExitWatcher(join(work, "exits"));

/** An alloc dir with the jar, and a bundle for it written as Milo does. */
async function floorBundle(id: string): Promise<string> {
  const alloc = join(work, "allocs", id);
  for (const dir of ["task/local", "task/secrets", "alloc"]) {
    await Deno.mkdir(join(alloc, dir), { recursive: true });
  }
  await Deno.copyFile(jars.hello, join(alloc, "task/local/hello.jar"));
  const dir = factory.bundleDir(id);
  await writeTaskBundle(dir, template.render(taskInput(alloc, id)));
  return dir;
}

/** `argv` in the hybrid-cgroup wrapper when this host needs it. */
function wrap(argv: string[]): string[] {
  if (unmount === undefined) return argv;
  return withMountRemoved(argv, {
    unsharePath: "/usr/bin/unshare",
    mountPoint: unmount,
  });
}

/** `crun run` in the foreground: spawn to the first stdout line. */
async function crunRun(id: string): Promise<number> {
  const bundle = await floorBundle(id);
  const argv = [
    crunPath!,
    `--root=${join(work, "crun")}`,
    "run",
    `--bundle=${bundle}`,
    id,
  ];
  const wrapped = wrap(argv);
  const start = performance.now();
  const child = new Deno.Command(wrapped[0], {
    args: wrapped.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let ms = NaN;
  let text = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (Number.isNaN(ms) && text.includes(FIRST_LINE)) {
      ms = performance.now() - start;
    }
  }
  await child.status;
  await runtime.delete(id, { force: true });
  await removeBundle(bundle);
  return ms;
}

/** Inside create, from the times conmon and crun wrote their pid files. */
const createParts = {
  monitorUp: [] as number[],
  crunCreate: [] as number[],
  handOff: [] as number[],
};

/**
 * Splits a create that ran from `start` to `end` (performance.now()):
 * conmon writes `conmon.pid` as soon as it runs (after the wrapper and its
 * own exec), crun writes `container.pid` when the container is created,
 * then conmon reports on the sync pipe. File times have ms resolution.
 */
async function splitCreate(bundle: string, start: number, end: number) {
  const wall = (ms: number) => performance.timeOrigin + ms;
  const mtime = async (file: string) =>
    (await Deno.stat(join(bundle, file))).mtime!.getTime();
  const conmonAt = await mtime("conmon.pid");
  const createdAt = await mtime("container.pid");
  createParts.monitorUp.push(conmonAt - wall(start));
  createParts.crunCreate.push(createdAt - conmonAt);
  createParts.handOff.push(wall(end) - createdAt);
}

/** conmon and `crun create`, then `crun start`: to the first line. */
async function monitorStart(id: string): Promise<number> {
  const bundle = await floorBundle(id);
  const fifo = join(work, `${id}.stdout`);
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  const reader = new FifoReader(fifo);
  const start = performance.now();
  const created = await runtime.create(id, bundle, {
    stdoutPath: fifo,
    stderrPath: "/dev/null",
    exitDir: join(work, "exits"),
  });
  await splitCreate(bundle, start, performance.now());
  // The process `crun start`, as conmon's users (podman) run it; Milo
  // writes crun's exec FIFO instead (src/crun/_exec_fifo.ts).
  const [command, ...args] = wrap([
    crunPath!,
    `--root=${join(work, "crun")}`,
    "start",
    id,
  ]);
  const started = await new Deno.Command(command, { args, stdin: "null" })
    .output();
  if (!started.success) throw new Error(`crun start ${id} failed`);
  await reader.waitForText(FIRST_LINE, 30_000);
  const ms = performance.now() - start;
  await exits.waitForExit(id, created.monitorPid);
  await reader.done;
  await runtime.delete(id, { force: true });
  await removeBundle(bundle);
  await Deno.remove(join(work, "exits", id)).catch(() => {});
  await Deno.remove(fifo);
  return ms;
}

const session = await E2ESession.start();
/** StartTask's round trip, from the client's side. */
const rpcMs: number[] = [];
/** Through the plugin: StartTask to the first line on the stdout FIFO. */
async function milo(name: string): Promise<number> {
  const job = {
    name,
    config: { jar_path: "local/hello.jar" },
    memoryMb: MEMORY_MB,
  };
  const alloc = await session.nomad.makeAlloc(session.allocRoot, job);
  await Deno.copyFile(jars.hello, join(alloc.taskDir, "local/hello.jar"));
  const stdout = new FifoReader(alloc.stdoutFifo);
  const stderr = new FifoReader(alloc.stderrFifo);
  const { taskId, sentAt } = await session.nomad.startTask(alloc, job);
  rpcMs.push(performance.now() - sentAt);
  await stdout.waitForText(FIRST_LINE, 30_000);
  const ms = performance.now() - sentAt;
  await session.nomad.waitTask(taskId);
  await Promise.all([stdout.done, stderr.done]);
  await session.destroyTask(taskId);
  return ms;
}

const latency = {
  milo: [] as number[],
  crunRun: [] as number[],
  monitor: [] as number[],
};
const runs = [
  () => milo(`lat${latency.milo.length}`).then((ms) => latency.milo.push(ms)),
  () =>
    crunRun(`raw${latency.crunRun.length}`).then((ms) =>
      latency.crunRun.push(ms)
    ),
  () =>
    monitorStart(`mon${latency.monitor.length}`).then((ms) =>
      latency.monitor.push(ms)
    ),
];
// One warm-up of each (page cache, JIT of Milo's own code), not counted.
await milo("warm");
await crunRun("warm-raw");
await monitorStart("warm-mon");
for (const list of Object.values(createParts)) list.length = 0;
rpcMs.length = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < runs.length; i++) await runs[(round + i) % runs.length]();
}

// Milo's steps as the plugin logged them (warm-up excluded).
const steps = new Map<string, number[]>();
const logged = session.stderrLines
  .map((line) => JSON.parse(line))
  .filter((entry) => entry["@message"] === "task start timings")
  .slice(1);
for (const entry of logged) {
  for (const [key, value] of Object.entries(entry)) {
    if (!key.endsWith("_ms")) continue;
    const list = steps.get(key.slice(0, -3)) ?? [];
    list.push(Number(value));
    steps.set(key.slice(0, -3), list);
  }
}

const pluginMs = logged.map((entry) =>
  Object.entries(entry).filter(([key]) => key.endsWith("_ms"))
    .reduce((sum, [, value]) => sum + Number(value), 0)
);

await session.close();
await exits.close();
await Deno.remove(work, { recursive: true });

// --- report ----------------------------------------------------------------

const summary = (values: number[]) => ({
  p50: percentile(values, 0.5),
  p99: percentile(values, 0.99),
  n: values.length,
});
const result = {
  bundle: { naive: summary(naiveMs), current: summary(currentMs) },
  latency: {
    milo: summary(latency.milo),
    crunRun: summary(latency.crunRun),
    monitorStart: summary(latency.monitor),
  },
  overheadP50: {
    overCrunRun: percentile(latency.milo, 0.5) -
      percentile(latency.crunRun, 0.5),
    overMonitorStart: percentile(latency.milo, 0.5) -
      percentile(latency.monitor, 0.5),
  },
  steps: Object.fromEntries(
    [...steps].map(([step, list]) => [step, summary(list)]),
  ),
  breakdown: {
    /** StartTask's round trip as the client sees it. */
    rpc: summary(rpcMs),
    /** All of Milo's logged steps of one StartTask. */
    plugin: summary(pluginMs),
    /** The round trip minus Milo's steps: gRPC, protobuf, scheduling. */
    grpc: summary(rpcMs.map((ms, i) => ms - pluginMs[i])),
    /** From StartTask's answer to the JVM's first line. */
    jvmFirstLine: summary(latency.milo.map((ms, i) => ms - rpcMs[i])),
    /** The create step split (measured on the monitor floor's creates). */
    createMonitorUp: summary(createParts.monitorUp),
    createCrun: summary(createParts.crunCreate),
    createHandOff: summary(createParts.handOff),
  },
  host: { crun: crunPath, conmon: conmonPath, hybridWorkaround: !!unmount },
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (ms: number) =>
    Math.abs(ms) < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
  const { bundle, latency: l, overheadP50 } = result;
  console.log(`bundle creation per task (${BUNDLES} each, interleaved)`);
  console.log(
    `  first version (rootfs per bundle): p50 ${f(bundle.naive.p50)}  p99 ${
      f(bundle.naive.p99)
    }`,
  );
  console.log(
    `  template + shared rootfs:          p50 ${f(bundle.current.p50)}  p99 ${
      f(bundle.current.p99)
    }`,
  );
  console.log(
    `  ratio p50: ${
      (bundle.naive.p50 / bundle.current.p50).toFixed(1)
    }x cheaper`,
  );
  console.log(
    `\nstart to the JVM's first line (${ROUNDS} rounds, interleaved)`,
  );
  console.log(
    `  crun run (raw floor):              p50 ${f(l.crunRun.p50)}  p99 ${
      f(l.crunRun.p99)
    }`,
  );
  console.log(
    `  conmon + crun start (monitor):     p50 ${f(l.monitorStart.p50)}  p99 ${
      f(l.monitorStart.p99)
    }`,
  );
  console.log(
    `  Milo (StartTask over gRPC):        p50 ${f(l.milo.p50)}  p99 ${
      f(l.milo.p99)
    }`,
  );
  console.log(
    `  Milo's overhead over crun run:     p50 ${f(overheadP50.overCrunRun)}`,
  );
  console.log(
    `  Milo's overhead over the monitor:  p50 ${
      f(overheadP50.overMonitorStart)
    }`,
  );
  console.log(`\nMilo's steps inside StartTask (p50, p99)`);
  const row = (name: string, s: { p50: number; p99: number }) =>
    console.log(
      `  ${name.padEnd(24)} ${f(s.p50).padStart(9)}  ${f(s.p99).padStart(9)}`,
    );
  for (const [step, s] of Object.entries(result.steps)) row(step, s);
  const { breakdown } = result;
  row("  wrapper and conmon up", breakdown.createMonitorUp);
  row("  crun create", breakdown.createCrun);
  row("  conmon's sync to Milo", breakdown.createHandOff);
  row("all steps", breakdown.plugin);
  row("gRPC and scheduling", breakdown.grpc);
  row("StartTask round trip", breakdown.rpc);
  row("then JVM to first line", breakdown.jvmFirstLine);

  const verdict = (ok: boolean) => ok ? "met" : "NOT met";
  console.log(
    `\nbar: bundle creation p50 under 2 ms: ${f(bundle.current.p50)}, ${
      verdict(bundle.current.p50 < 2)
    }`,
  );
  console.log(
    `bar: Milo's overhead over crun run p50 under 10 ms: ${
      f(overheadP50.overCrunRun)
    }, ${verdict(overheadP50.overCrunRun < 10)}`,
  );
}
