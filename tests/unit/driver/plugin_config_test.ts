import assert from "node:assert/strict";
import {
  DEFAULT_PLUGIN_CONFIG,
  parsePluginConfig,
} from "../../../src/driver/plugin_config.ts";
import { InvalidPluginConfigError } from "../../../src/driver/errors.ts";

Deno.test("parsePluginConfig() gives the defaults for an empty block", () => {
  assert.deepEqual(parsePluginConfig({}), {
    ...DEFAULT_PLUGIN_CONFIG,
    crunPath: undefined,
    conmonPath: undefined,
    defaultJavaVersion: undefined,
  });
});

Deno.test("parsePluginConfig() reads the Java settings", () => {
  const config = parsePluginConfig({
    java_search_paths: ["/opt/jdks"],
    java_homes: ["/srv/jdk-21"],
    default_java_version: "21",
    java_refresh_interval: "1m30s",
  });
  assert.deepEqual(config.javaSearchPaths, ["/opt/jdks"]);
  assert.deepEqual(config.javaHomes, ["/srv/jdk-21"]);
  assert.equal(config.defaultJavaVersion, "21");
  assert.equal(config.javaRefreshIntervalMs, 90_000);
});

Deno.test("parsePluginConfig() names the key and the fix", async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a typo", { state_dr: "/x" }, /unknown key "state_dr"/],
    [
      "a relative state_dir",
      { state_dir: "run" },
      /"state_dir" must be an absolute/,
    ],
    [
      "a relative search path",
      { java_search_paths: ["jdks"] },
      /"java_search_paths" must hold absolute paths/,
    ],
    [
      "a bad interval",
      { java_refresh_interval: "often" },
      /"java_refresh_interval": Cannot parse duration/,
    ],
    ["a tiny interval", { java_refresh_interval: "10ms" }, /at least "1s"/],
    [
      "a string for a bool",
      { cgroup_hybrid_workaround: "yes" },
      /must be true or false/,
    ],
  ];
  for (const [name, raw, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => parsePluginConfig(raw),
        (error: Error) =>
          error instanceof InvalidPluginConfigError &&
          message.test(error.message),
      );
    });
  }
});
