/**
 * Java runtime detection: a cold detection, cached lookups and
 * `java -version` as the baseline the cache must beat by 1000x.
 */

import { RuntimeDetector } from "../src/java/runtime_detector.ts";

const env = { javaHome: Deno.env.get("JAVA_HOME"), path: Deno.env.get("PATH") };
const cached = new RuntimeDetector({ ...env, watch: false, checkOnUse: false });
const checked = new RuntimeDetector({ ...env, watch: false });
await cached.select();
await checked.select();
const java = (await checked.select({ javaVersion: "17" })).java;
const group = "java runtime";

Deno.bench({ group, name: "java -version", baseline: true }, async () => {
  await new Deno.Command(java, { args: ["-version"], stderr: "null" })
    .output();
});

Deno.bench({ group, name: "cold detection (new detector)" }, async () => {
  const detector = new RuntimeDetector({ ...env, watch: false });
  await detector.inventory();
  await detector.close();
});

Deno.bench({ group, name: "cached select()" }, async () => {
  await cached.select();
});

Deno.bench({ group, name: "cached select() with validity check" }, async () => {
  await checked.select();
});

Deno.bench({ group, name: "100 concurrent cached select()" }, async () => {
  await Promise.all(Array.from({ length: 100 }, () => checked.select()));
});

globalThis.addEventListener("unload", () => {
  cached.close();
  checked.close();
});
