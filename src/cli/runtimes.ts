/**
 * `milo runtimes`: the Java runtime inventory as the plugin would build
 * and advertise it, for operators.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  describeRuntime,
  formatJavaVersion,
  type Inventory,
  RuntimeDetector,
} from "../java/mod.ts";
import { javaAttributes } from "../driver/fingerprint.ts";

/** Usage text of `milo runtimes`. */
export const RUNTIMES_USAGE = `Usage: milo runtimes [--json] [options]

Lists the Java runtimes Milo finds on this host, as the plugin would.

Options:
  --json                   print the inventory as JSON
  --java-search-path DIR   also search DIR for runtimes (repeatable)
  --java-home DIR          also use the runtime at DIR (repeatable)
  --default-java-version V the plugin's default_java_version
`;

/** Prints the inventory; returns the exit code (1 when none is usable). */
export async function runtimesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      "java-search-path": { type: "string", multiple: true },
      "java-home": { type: "string", multiple: true },
      "default-java-version": { type: "string" },
    },
  });
  const detector = new RuntimeDetector({
    javaHome: Deno.env.get("JAVA_HOME"),
    path: Deno.env.get("PATH"),
    searchPaths: (values["java-search-path"] ?? []).map((p) => resolve(p)),
    homes: (values["java-home"] ?? []).map((p) => resolve(p)),
    watch: false,
  });
  try {
    const inventory = await detector.inventory();
    const defaultVersion = values["default-java-version"];
    console.log(
      values.json
        ? JSON.stringify(toJson(inventory, defaultVersion), null, 2)
        : toText(inventory),
    );
    return inventory.runtimes.length > 0 ? 0 : 1;
  } finally {
    await detector.close();
  }
}

function toJson(inventory: Inventory, defaultVersion?: string) {
  return {
    runtimes: inventory.runtimes.map((runtime) => ({
      ...runtime,
      version: {
        ...runtime.version,
        text: runtime.version.text,
        short: formatJavaVersion(runtime.version),
      },
    })),
    broken: inventory.broken,
    searched: inventory.searched,
    attributes: inventory.runtimes.length > 0
      ? javaAttributes(inventory, defaultVersion)
      : {},
  };
}

function toText(inventory: Inventory): string {
  const lines = inventory.runtimes.map((runtime) => {
    const aware = [
      runtime.containerAware.v1 ? "v1" : "",
      runtime.containerAware.v2 ? "v2" : "",
    ].filter(Boolean).join("+") || "none";
    return `  ${describeRuntime(runtime)} [${runtime.kind}, ` +
      `${runtime.arch}, cgroup-aware: ${aware}, from ${runtime.source}]`;
  });
  const out = [
    inventory.runtimes.length > 0
      ? `Java runtimes (newest first):\n${lines.join("\n")}`
      : "No usable Java runtime found.",
  ];
  if (inventory.broken.length > 0) {
    out.push(
      "Broken:\n" +
        inventory.broken.map((b) => `  ${b.home}: ${b.reason}`).join("\n"),
    );
  }
  out.push(`Searched: ${inventory.searched.join(", ")}`);
  return out.join("\n");
}
