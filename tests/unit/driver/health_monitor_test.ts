/**
 * The health monitor with stand-in tools: the fingerprint repeats on its
 * interval without running any tool again, and a replaced binary is seen.
 */

import assert from "node:assert/strict";
import { detectCgroupLayout } from "../../../src/crun/cgroup_layout.ts";
import { HealthMonitor } from "../../../src/driver/health_monitor.ts";
import { JavaRuntimes } from "../../../src/driver/java_runtimes.ts";
import {
  DEFAULT_PLUGIN_CONFIG,
  type PluginConfig,
} from "../../../src/driver/plugin_config.ts";
import type { Fingerprint } from "../../../src/driver/types.ts";
import { Logger } from "../../../src/log/logger.ts";
import { PURE_V2 } from "../crun/_mount_tables.ts";
import { makeRuntime } from "../java/_helpers.ts";
import { toolDir, writeTool } from "./_tools.ts";

Deno.test("HealthMonitor repeats itself without spawning and sees a new binary", async () => {
  const dir = await toolDir();
  await makeRuntime(`${dir}/jdks/jdk-21`);
  const config: PluginConfig = {
    ...DEFAULT_PLUGIN_CONFIG,
    stateDir: `${dir}/state`,
    javaSearchDefaults: false,
    javaSearchPaths: [`${dir}/jdks`],
  };
  const java = new JavaRuntimes(config, {}, () => {}, () => {});
  const monitor = new HealthMonitor({
    config,
    java,
    version: "0.0.0",
    logger: new Logger({ sink: () => {} }),
    path: dir,
    cgroup: () => Promise.resolve(detectCgroupLayout(PURE_V2)),
    intervalMs: 50,
  });
  const controller = new AbortController();
  const seen: Fingerprint[] = [];
  const reading = (async () => {
    for await (const fingerprint of monitor.fingerprints(controller.signal)) {
      seen.push(fingerprint);
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(seen.length >= 4, `${seen.length} fingerprints in 400 ms`);
    assert.ok(seen.every((f) => f.health === "healthy"));
    assert.equal(seen[0].attributes["driver.milo.java.versions"], "21.0.2");
    assert.equal(monitor.toolSpawns, 2, "crun and conmon asked once each");

    await writeTool(dir, "crun", "1.7");
    const deadline = Date.now() + 2000;
    while (seen.at(-1)?.health !== "unhealthy" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(seen.at(-1)?.description ?? "", /version 1\.7, older/);
    assert.equal(monitor.toolSpawns, 3);
  } finally {
    controller.abort();
    await reading;
    await monitor.close(true);
    await java.close();
    await Deno.remove(dir, { recursive: true });
  }
});
