/**
 * Fingerprint cost: a warm fingerprint (tool versions and Java inventory
 * cached, no process spawned) against a cold one (a new monitor: crun and
 * conmon asked their versions, every runtime detected), with the java
 * driver's `java -version` per fingerprint as the baseline.
 */

import { HealthMonitor } from "../src/driver/health_monitor.ts";
import { JavaRuntimes } from "../src/driver/java_runtimes.ts";
import { DEFAULT_PLUGIN_CONFIG } from "../src/driver/plugin_config.ts";
import { Logger } from "../src/log/logger.ts";

const stateDir = await Deno.makeTempDir({ prefix: "milo-bench-fp-" });
const config = { ...DEFAULT_PLUGIN_CONFIG, stateDir };
const env = {
  JAVA_HOME: Deno.env.get("JAVA_HOME"),
  PATH: Deno.env.get("PATH"),
};
const logger = new Logger({ level: "error" });

function monitor() {
  const java = new JavaRuntimes(config, env, () => {}, () => {});
  const health = new HealthMonitor({
    config,
    java,
    version: "bench",
    logger,
    path: env.PATH,
  });
  return { java, health };
}

const warm = monitor();
const first = await warm.health.refresh();
if (first.health !== "healthy") {
  throw new Error(`the host is not healthy: ${first.description}`);
}
const javaBin = (await warm.java.inventory()).runtimes[0].java;
const spawnsBefore = warm.health.toolSpawns;
const group = "fingerprint";

Deno.bench(
  { group, name: "java -version (java driver)", baseline: true },
  async () => {
    await new Deno.Command(javaBin, { args: ["-version"], stderr: "null" })
      .output();
  },
);

Deno.bench({ group, name: "cold fingerprint (new monitor)" }, async () => {
  const cold = monitor();
  await cold.health.refresh();
  await cold.health.close(true);
  await cold.java.close();
});

Deno.bench({ group, name: "warm fingerprint (nothing changed)" }, async () => {
  await warm.health.refresh();
});

globalThis.addEventListener("unload", () => {
  const spawned = warm.health.toolSpawns - spawnsBefore;
  console.log(`tools run by warm fingerprints: ${spawned}`);
  void warm.health.close(true);
  void warm.java.close();
  Deno.removeSync(stateDir, { recursive: true });
});
