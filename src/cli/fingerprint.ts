/**
 * `milo fingerprint`: the fingerprint the plugin would send Nomad, once,
 * computed by the same driver code with the same plugin config options.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Driver } from "../driver/driver.ts";
import { parsePluginConfig } from "../driver/plugin_config.ts";
import type { Fingerprint } from "../driver/types.ts";
import { Logger } from "../log/logger.ts";
import { PluginLogPrinter } from "./plugin_log_printer.ts";

/** Usage text of `milo fingerprint`. */
export const FINGERPRINT_USAGE = `Usage: milo fingerprint [--json] [options]

Prints the fingerprint the plugin would send Nomad: health, the problems
in plain words (each with where Milo looked and the fix), and the node
attributes. Exits 0 when healthy, 1 otherwise.

Options (as in the plugin config):
  --json                     print it as JSON
  --crun-path PATH           crun_path
  --conmon-path PATH         conmon_path
  --java-search-path DIR     java_search_paths (repeatable)
  --java-home DIR            java_homes (repeatable)
  --default-java-version V   default_java_version
  --state-dir DIR            state_dir
  --no-cgroup-hybrid-workaround
                             cgroup_hybrid_workaround = false
  --no-java-search-defaults  java_search_defaults = false
  --verbose                  show the driver's log lines
`;

/**
 * Prints the fingerprint; returns the exit code.
 *
 * @throws {TypeError} for an unknown option (the message names it).
 */
export async function fingerprintCommand(
  argv: string[],
  version: string,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      "crun-path": { type: "string" },
      "conmon-path": { type: "string" },
      "java-search-path": { type: "string", multiple: true },
      "java-home": { type: "string", multiple: true },
      "default-java-version": { type: "string" },
      "state-dir": { type: "string" },
      "no-cgroup-hybrid-workaround": { type: "boolean" },
      "no-java-search-defaults": { type: "boolean" },
      verbose: { type: "boolean" },
    },
  });
  const config = parsePluginConfig(withoutUnset({
    crun_path: values["crun-path"],
    conmon_path: values["conmon-path"],
    java_search_paths: values["java-search-path"]?.map((p) => resolve(p)),
    java_homes: values["java-home"]?.map((p) => resolve(p)),
    default_java_version: values["default-java-version"],
    state_dir: values["state-dir"] && resolve(values["state-dir"]),
    cgroup_hybrid_workaround: values["no-cgroup-hybrid-workaround"]
      ? false
      : undefined,
    java_search_defaults: values["no-java-search-defaults"] ? false : undefined,
  }));
  const printer = new PluginLogPrinter(Boolean(values.verbose));
  const driver = new Driver({
    logger: new Logger({ sink: (line) => printer.print(line) }),
    version,
  });
  try {
    await driver.configure(config);
    const fingerprint = await driver.fingerprint();
    console.log(
      values.json
        ? JSON.stringify(fingerprint, null, 2)
        : formatFingerprint(fingerprint),
    );
    return fingerprint.health === "healthy" ? 0 : 1;
  } finally {
    await driver.shutdown();
  }
}

/** The fingerprint for a terminal: health, each problem, attributes. */
export function formatFingerprint(fingerprint: Fingerprint): string {
  const lines = [`health: ${fingerprint.health}`];
  if (fingerprint.health === "healthy") {
    lines.push(`description: ${fingerprint.description}`);
  } else {
    lines.push("problems:");
    for (const problem of fingerprint.problems) {
      lines.push(`  - ${problem}`);
    }
  }
  lines.push("attributes:");
  for (const key of Object.keys(fingerprint.attributes).sort()) {
    lines.push(`  ${key} = ${fingerprint.attributes[key]}`);
  }
  return lines.join("\n");
}

function withoutUnset(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined),
  );
}
