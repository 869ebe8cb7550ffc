/**
 * A CPU profile of the plugin while it starts tasks: the real plugin runs
 * with V8's inspector on loopback, and this script records a sampling
 * profile (Chrome DevTools Protocol, 100 µs interval) over N
 * StartTask/WaitTask/DestroyTask cycles of the hello jar. It prints where
 * the plugin's CPU time goes and writes the profile, which Chrome's
 * DevTools (Performance tab, "Load profile") opens.
 *
 * ```sh
 * deno task bench:profile [--tasks N] [--at-once K] [--out FILE]
 * ```
 *
 * With `--at-once K`, the cycles run K at a time (Promise.all), as when
 * many tasks land at once.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { count } from "./_args.ts";
import { Inspector, inspectorPort } from "./_inspector.ts";
import { selfCommand } from "../main.ts";
import { buildJars, E2ESession } from "../tests/e2e/harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tasks: { type: "string", default: "40" },
    "at-once": { type: "string", default: "1" },
    out: { type: "string", default: ".cache/profiles/start.cpuprofile" },
  },
});
const TASKS = count("--tasks", values.tasks);
const AT_ONCE = count("--at-once", values["at-once"]);

/** The parts of a V8 CPU profile this script reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

if (Deno.uid() !== 0) throw new Error("start_profile needs root (crun)");
const jars = await buildJars();
const port = inspectorPort();
const [deno, run, ...rest] = selfCommand();
const session = await E2ESession.start({
  command: [deno, run, `--inspect=127.0.0.1:${port}`, ...rest],
});
const inspector = await Inspector.connect(port);

const job = (name: string) => ({
  name,
  config: { jar_path: "local/hello.jar" },
});
const files = { "local/hello.jar": jars.hello };
await session.runJob(job("warm-up"), files); // loads and compiles the code

await inspector.send("Profiler.enable");
await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
await inspector.send("Profiler.start");
const started = performance.now();
for (let i = 0; i < TASKS; i += AT_ONCE) {
  const batch = Array.from(
    { length: Math.min(AT_ONCE, TASKS - i) },
    (_, k) => session.runJob(job(`p${i + k}`), files),
  );
  await Promise.all(batch);
}
const wallMs = performance.now() - started;
const { profile } = await inspector.send<{ profile: CpuProfile }>(
  "Profiler.stop",
);
inspector.close();
await session.close();

const out = resolve(values.out);
await Deno.mkdir(join(out, ".."), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(profile));

// Self time per function, and the inclusive time of Milo's own steps.
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parent.set(child, node.id);
}
const label = (id: number) => {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const file = url.replace(/^.*\/(src|node_modules|ext)\//, "$1/");
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const STEPS = [
  "startTask",
  "launchTask",
  "parseTaskConfig",
  "select",
  "render",
  "writeTaskBundle",
  "create",
  "spawnAndCollect",
  "releaseExecFifo",
  "destroyTask",
  "waitForExit",
];
let busy = 0;
profile.samples.forEach((id, index) => {
  const ms = (profile.timeDeltas[index] ?? 0) / 1000;
  const name = label(id);
  self.set(name, (self.get(name) ?? 0) + ms);
  if (!name.startsWith("(idle)")) busy += ms;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const fn = byId.get(at)!.callFrame.functionName;
    if (STEPS.includes(fn) && !seen.has(fn)) {
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
    }
  }
});

const f = (ms: number) => `${(ms / TASKS).toFixed(3)} ms`;
console.log(
  `plugin CPU over ${TASKS} task cycles (start, wait, destroy): ` +
    `${f(busy)} per task, ${
      (100 * busy / wallMs).toFixed(1)
    }% of the wall time`,
);
console.log(`\ninclusive CPU per task of Milo's steps`);
for (const step of STEPS) {
  if (inclusive.has(step)) {
    console.log(`  ${step.padEnd(16)} ${f(inclusive.get(step)!).padStart(10)}`);
  }
}
console.log(`\ntop self time per task`);
const top = [...self].filter(([name]) => !name.startsWith("(idle)"))
  .sort((a, b) => b[1] - a[1]).slice(0, 15);
for (const [name, ms] of top) console.log(`  ${f(ms).padStart(10)}  ${name}`);
console.log(`\nprofile written to ${out}`);
