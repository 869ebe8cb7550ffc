/**
 * `milo run`: plays Nomad's part for one jar. It launches the plugin as a
 * child exactly as Nomad would, lays out an alloc dir with the jar in the
 * task's local/ (as an artifact block would), streams the task's log FIFOs
 * to this terminal and exits with the task's exit code.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { NomadClient } from "../nomad/nomad_client.ts";
import { pumpFifo, releaseFifo } from "./fifo_pump.ts";
import { PluginLogPrinter } from "./plugin_log_printer.ts";

/** Usage text of `milo run`. */
export const RUN_USAGE = `Usage: milo run [options] <jar> [-- args...]
       milo run [options] --class NAME --class-path CP [-- args...]

Runs a jar in a crun container through the Milo plugin, as Nomad would.

Options:
  --class NAME         main class to run (instead of a jar's Main-Class)
  --class-path CP      class path for --class; jars on this host are
                       copied into the task's local/ like the jar
  --jvm-option=OPT     JVM option, repeatable (--jvm-option=-Xmx64m)
  --java-version V     Java version constraint ("17", "17+", "11-17")
  --java-search-path DIR
                       also look for Java runtimes in DIR (repeatable)
  --memory MB          memory limit in MiB (default 300)
  --cpu MHZ            CPU shares in MHz (default 100)
  --state-dir DIR      plugin state dir (default /run/milo)
  --verbose            show all plugin log lines, not only warnings
`;

interface RunArgs {
  jar?: string;
  className?: string;
  classPath?: string;
  jvmOptions: string[];
  args: string[];
  memoryMb: number;
  cpuMhz: number;
  stateDir?: string;
  javaVersion?: string;
  javaSearchPaths: string[];
  verbose: boolean;
}

/**
 * Parses `milo run`'s arguments.
 *
 * @throws {TypeError} with a message naming the bad argument.
 */
export function parseRunArgs(argv: string[]): RunArgs {
  const split = argv.indexOf("--");
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      class: { type: "string" },
      "class-path": { type: "string" },
      "jvm-option": { type: "string", multiple: true },
      memory: { type: "string" },
      cpu: { type: "string" },
      "state-dir": { type: "string" },
      "java-version": { type: "string" },
      "java-search-path": { type: "string", multiple: true },
      verbose: { type: "boolean" },
    },
  });
  if (positionals.length > 1) {
    throw new TypeError(
      `Cannot run: more than one jar given (${positionals.join(", ")}); ` +
        "put program arguments after --",
    );
  }
  if (!positionals[0] && !values.class) {
    throw new TypeError("Cannot run: give a jar, or --class\n\n" + RUN_USAGE);
  }
  return {
    jar: positionals[0],
    className: values.class,
    classPath: values["class-path"],
    jvmOptions: values["jvm-option"] ?? [],
    args: split >= 0 ? argv.slice(split + 1) : [],
    memoryMb: positiveInt("--memory", values.memory, 300),
    cpuMhz: positiveInt("--cpu", values.cpu, 100),
    stateDir: values["state-dir"],
    javaVersion: values["java-version"],
    javaSearchPaths: (values["java-search-path"] ?? []).map((dir) =>
      resolve(dir)
    ),
    verbose: values.verbose ?? false,
  };
}

/** Runs the task; returns the exit code for this process. */
export async function runCommand(
  argv: string[],
  pluginCommand: string[],
): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.jar) await checkReadable(args.jar);

  // Listen before anything starts: a Ctrl-C at any moment must still end
  // in StopTask and a clean-up, never in an orphaned plugin or container.
  using interrupts = new Interrupts();
  const printer = new PluginLogPrinter(args.verbose);
  const nomad = await NomadClient.start(
    { command: pluginCommand, onStderrLine: (line) => printer.print(line) },
    {
      ...(args.stateDir ? { state_dir: args.stateDir } : {}),
      java_search_paths: args.javaSearchPaths,
    },
  );
  const allocRoot = await Deno.makeTempDir({ prefix: "milo-run-" });
  let keepAlloc = false;
  try {
    if (interrupts.count > 0) return 130;
    return await runTask(nomad, allocRoot, args, interrupts);
  } catch (error) {
    keepAlloc = error instanceof PluginExitedError;
    throw error;
  } finally {
    await nomad.close().catch(() => {});
    if (!keepAlloc) {
      await Deno.remove(allocRoot, { recursive: true }).catch(() => {});
    }
  }
}

/** The plugin process ended while its task was still running. */
class PluginExitedError extends Error {
  /** Creates the error; the message tells how to remove the container. */
  constructor(containerId: string, crunRoot: string, allocDir: string) {
    super(
      `Cannot wait for the task: the plugin exited while container ` +
        `"${containerId}" was running; remove it with ` +
        `"crun --root ${crunRoot} delete --force ${containerId}", then ` +
        `"${allocDir}"`,
    );
    this.name = "PluginExitedError";
  }
}

async function runTask(
  nomad: NomadClient,
  allocRoot: string,
  args: RunArgs,
  interrupts: Interrupts,
): Promise<number> {
  const fingerprint = await nomad.firstFingerprint();
  if (fingerprint.health !== 2) {
    console.error(`milo: driver unhealthy: ${fingerprint.healthDescription}`);
  }
  const jarName = args.jar ? basename(args.jar) : undefined;
  const files: Record<string, string> = jarName ? { [jarName]: args.jar! } : {};
  const classPath = args.classPath
    ? await localClassPath(args.classPath, files)
    : undefined;
  const job = {
    name: "app",
    config: {
      jar_path: jarName ? `local/${jarName}` : undefined,
      class: args.className,
      class_path: classPath,
      jvm_options: args.jvmOptions,
      args: args.args,
      java_version: args.javaVersion,
    },
    memoryMb: args.memoryMb,
    cpuMhz: args.cpuMhz,
  };

  // Nomad's logmon holds the FIFOs' read ends before StartTask, and the
  // monitor's open of the write ends waits for them.
  const alloc = await nomad.makeAlloc(allocRoot, job, files);
  const pumps = [
    pumpFifo(alloc.stdoutFifo, Deno.stdout),
    pumpFifo(alloc.stderrFifo, Deno.stderr),
  ];
  let started;
  try {
    started = await nomad.startTask(alloc, job);
  } catch (error) {
    await Promise.all([alloc.stdoutFifo, alloc.stderrFifo].map(releaseFifo));
    await Promise.all(pumps);
    throw error;
  }

  const { taskId } = started;
  interrupts.onSignal((count) => {
    const timeoutMs = count === 1 ? 10_000 : 0;
    nomad.stopTask(taskId, timeoutMs, "SIGINT").catch((error) =>
      console.error(`milo: cannot stop task: ${error.details ?? error}`)
    );
  });
  const state = JSON.parse(
    new TextDecoder().decode(started.response.handle?.driverState),
  );
  const pluginExit = nomad.plugin.exited.then(() => {
    throw new PluginExitedError(state.containerId, state.crunRoot, allocRoot);
  });
  // When the plugin dies, WaitTask fails a moment before its exit is seen;
  // give the exit the chance to explain the failure.
  const wait = nomad.waitTask(taskId).catch(async (error) => {
    await Promise.race([pluginExit, delay(1000)]);
    throw error;
  });
  const result = await Promise.race([wait, pluginExit]);
  await Promise.all(pumps);
  await nomad.destroyTask(taskId, true);
  if (result.err) console.error(`milo: ${result.err}`);
  return result.exitCode < 0 ? 1 : result.exitCode;
}

/**
 * Class path entries that are files on this host are copied into the
 * task's local/ (as an artifact block would) and rewritten to point there;
 * other entries (such as /usr/share/java/x.jar, visible in the container
 * anyway, or "local/*") are kept as they are.
 */
async function localClassPath(
  classPath: string,
  files: Record<string, string>,
): Promise<string> {
  const entries = [];
  for (const entry of classPath.split(":")) {
    const info = entry && !entry.startsWith("/usr/")
      ? await Deno.stat(entry).catch(() => undefined)
      : undefined;
    if (!info?.isFile) {
      entries.push(entry);
      continue;
    }
    files[basename(entry)] = entry;
    entries.push(`local/${basename(entry)}`);
  }
  return entries.join(":");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Counts Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal), and
 * hands them to the current handler, replaying earlier ones.
 */
class Interrupts {
  count = 0;
  #handler?: (count: number) => void;
  readonly #listener = () => {
    this.count++;
    this.#handler?.(this.count);
  };
  static readonly #SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

  constructor() {
    for (const signal of Interrupts.#SIGNALS) {
      Deno.addSignalListener(signal, this.#listener);
    }
  }

  /** Calls `handler` for every signal from now on, and once for past ones. */
  onSignal(handler: (count: number) => void): void {
    this.#handler = handler;
    if (this.count > 0) handler(this.count);
  }

  [Symbol.dispose](): void {
    for (const signal of Interrupts.#SIGNALS) {
      Deno.removeSignalListener(signal, this.#listener);
    }
  }
}

async function checkReadable(jar: string): Promise<void> {
  try {
    if ((await Deno.stat(jar)).isFile) return;
  } catch {
    // Reported below.
  }
  throw new TypeError(
    `Cannot run: jar "${jar}" does not exist or is not a file`,
  );
}

function positiveInt(flag: string, text: string | undefined, fallback: number) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(
      `Cannot run: ${flag} must be a positive integer, got "${text}"`,
    );
  }
  return value;
}
