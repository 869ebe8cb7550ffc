/**
 * Milo's entry point: a Nomad task driver plugin when Nomad starts it (the
 * magic cookie is set), otherwise a small command-line tool.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { Logger } from "./src/log/logger.ts";
import {
  MAGIC_COOKIE_KEY,
  NOT_A_PLUGIN_MESSAGE,
} from "./src/plugin/handshake.ts";
import { servePlugin } from "./src/plugin/serve.ts";
import {
  FINGERPRINT_USAGE,
  fingerprintCommand,
} from "./src/cli/fingerprint.ts";
import { RUN_USAGE, runCommand } from "./src/cli/run.ts";
import { RUNTIMES_USAGE, runtimesCommand } from "./src/cli/runtimes.ts";

/** Milo's version, from deno.json. */
export const VERSION: string = denoJson.version;

const USAGE = `Milo ${VERSION}: a Nomad task driver for Java applications.

Usage:
  milo run [options] <jar> [-- args...]   run a jar as Nomad would
  milo runtimes [--json]                  list the Java runtimes found
  milo fingerprint [--json]               what the plugin would tell Nomad
  milo version                            print the version
  milo help                               show this text

Nomad starts this binary as a plugin; see README.md.
`;

/** The argv that starts this program again, compiled or from source. */
export function selfCommand(): string[] {
  // A compiled binary embeds its modules under a deno-compile- directory.
  if (import.meta.url.includes("/deno-compile-")) return [Deno.execPath()];
  const main = new URL(import.meta.url).pathname;
  const config = new URL("./deno.json", import.meta.url).pathname;
  return [Deno.execPath(), "run", "-A", "--quiet", "--config", config, main];
}

async function main(args: string[]): Promise<number> {
  if (Deno.env.get(MAGIC_COOKIE_KEY) !== undefined) {
    keepStdoutClean();
    const logger = new Logger({ module: "milo" });
    return await servePlugin(Deno.env.toObject(), logger, VERSION);
  }

  const [command, ...rest] = args;
  switch (command) {
    case "run":
      if (rest.includes("--help") || rest.includes("-h")) {
        console.log(RUN_USAGE);
        return 0;
      }
      return await runCommand(rest, selfCommand());
    case "runtimes":
      if (rest.includes("--help") || rest.includes("-h")) {
        console.log(RUNTIMES_USAGE);
        return 0;
      }
      return await runtimesCommand(rest);
    case "fingerprint":
      if (rest.includes("--help") || rest.includes("-h")) {
        console.log(FINGERPRINT_USAGE);
        return 0;
      }
      return await fingerprintCommand(rest, VERSION);
    case "version":
    case "--version":
      console.log(VERSION);
      return 0;
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    case undefined:
      console.error(NOT_A_PLUGIN_MESSAGE);
      return 1;
    default:
      console.error(`milo: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/**
 * In plugin mode stdout carries the handshake line and nothing else, so
 * any console output from a library is sent to stderr instead.
 */
function keepStdoutClean(): void {
  const logger = new Logger({ module: "console" });
  const toLog = (...data: unknown[]) =>
    logger.debug(data.map((item) => String(item)).join(" "));
  console.log = toLog;
  console.info = toLog;
  console.debug = toLog;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // gRPC errors carry the plugin's own message in `details`.
    const details = (error as { details?: unknown })?.details;
    const message = typeof details === "string" && details
      ? details
      : error instanceof Error
      ? error.message
      : String(error);
    console.error(`milo: ${message}`);
    Deno.exit(1);
  }
}
