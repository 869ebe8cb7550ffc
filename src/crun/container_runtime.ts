/**
 * crun and conmon behind one class: the only code in Milo that runs them.
 *
 * @module
 */

import { join } from "node:path";
import {
  buildConmonCommand,
  type ConmonFiles,
  conmonFiles,
  killMonitor,
  pathExists,
  prepareCreate,
  readCrunLog,
  readPid,
  readSyncMessage,
} from "./_conmon.ts";
import {
  CHILD_ENV,
  describeFailure,
  type OutputFiles,
  redirectOutput,
  spawnAndCollect,
  type SpawnResult,
  withMountRemoved,
} from "./_spawn.ts";
import { checkContainerId } from "./container_id.ts";
import { removeIfExists } from "../fs/remove.ts";
import { releaseExecFifo } from "./_exec_fifo.ts";
import { CrunError } from "./crun_error.ts";
import type {
  ContainerRuntimeOptions,
  ContainerState,
  CreatedContainer,
  CreateOptions,
} from "./types.ts";

/** Creates, starts, signals, inspects and deletes crun containers. */
export class ContainerRuntime {
  #options: ContainerRuntimeOptions;
  #spawns = 0;

  /** Keeps the options; nothing runs until a method is called. */
  constructor(options: ContainerRuntimeOptions) {
    this.#options = { ...options };
  }

  /**
   * Creates a container through conmon, which stays behind as its monitor.
   * Resolves once crun has created it, so {@linkcode start} may follow.
   * crun's own error text also lands in `stderrPath`, which the container
   * shares with crun.
   *
   * @throws {CrunError} with crun's reason when creation fails; the
   * container is then gone again.
   * @throws {TypeError} when `id` has characters crun rejects.
   */
  async create(
    id: string,
    bundleDir: string,
    options: CreateOptions,
  ): Promise<CreatedContainer> {
    const action = `Cannot create container "${checkContainerId(id)}"`;
    if (this.#exists(id)) {
      // Checked first: preparing would delete the other one's files.
      const details = { command: [], exitCode: null, stderr: "" };
      throw new CrunError(`${action}: it already exists`, details);
    }
    const files = conmonFiles(bundleDir);
    prepareCreate(files, options, id);

    const command = buildConmonCommand({
      ...this.#options,
      ...options,
      id,
      bundleDir,
      files,
    });
    const result = await this.#spawn(command, {
      firstLineOnly: true,
      env: { _OCI_SYNCPIPE: "3" },
      output: options,
    });

    const sync = readSyncMessage(result);
    if (sync !== null && sync.pid > 0 && !result.timedOut) {
      return { pid: sync.pid, monitorPid: readPid(files.conmonPidFile) };
    }

    // With passthrough logging conmon's own messages go to the task's stderr.
    const silent = `conmon exited without a word (see "${options.stderrPath}")`;
    const reason = result.timedOut
      ? this.#createTimeout(options)
      : sync?.message || await readCrunLog(files.crunLogFile) ||
        describeFailure(result, silent);
    await this.#undoCreate(id, files, reason, result.timedOut);
    throw new CrunError(`${action}: ${reason}`, {
      command,
      exitCode: result.code,
      stderr: result.stderr,
    });
  }

  /**
   * Starts a created container's process. Done as `crun start` does it,
   * without a crun process (see `releaseExecFifo`); when that is not
   * possible (no container, no waiting init), `crun start` runs and
   * reports why.
   *
   * @throws {CrunError} when crun refuses, e.g. the container is running.
   */
  async start(id: string): Promise<void> {
    const action = `Cannot start container "${checkContainerId(id)}"`;
    if (releaseExecFifo(join(this.#options.stateRoot, id))) return;
    await this.#crun(action, ["start", id]);
  }

  /** How many crun and conmon processes this runtime has started. */
  get spawns(): number {
    return this.#spawns;
  }

  /**
   * Sends `signal` ("SIGTERM", "TERM" or 15) to the container's init
   * process, or with `all` to every process in it. The kernel drops
   * signals a pid namespace's init has no handler for, except SIGKILL.
   *
   * @throws {CrunError} when the container is unknown or not running.
   */
  async kill(id: string, signal: string | number, all = false): Promise<void> {
    const action = `Cannot signal container "${checkContainerId(id)}"`;
    const args = all ? ["kill", "--all", id] : ["kill", id];
    await this.#crun(action, [...args, String(signal)]);
  }

  /**
   * Deletes a container's state and cgroup; with `force` a running
   * container is killed first. An unknown container counts as deleted.
   *
   * @throws {CrunError} when crun fails for another reason.
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    const action = `Cannot delete container "${checkContainerId(id)}"`;
    const args = options.force ? ["delete", "--force", id] : ["delete", id];
    await this.#crun(action, args, { unknownIsFine: true });
  }

  /**
   * Returns the container's status and pid, or null when crun does not
   * know it.
   *
   * @throws {CrunError} when crun fails for another reason.
   */
  async state(id: string): Promise<ContainerState | null> {
    const action = `Cannot read state of container "${checkContainerId(id)}"`;
    const out = await this.#crun(action, ["state", id], {
      unknownIsFine: true,
    });
    if (out === null) return null;

    const state = JSON.parse(out);
    return { status: String(state.status), pid: Number(state.pid ?? 0) };
  }

  /**
   * Lists the ids of all containers under this runtime's state root.
   *
   * @throws {CrunError} when crun fails.
   */
  async list(): Promise<string[]> {
    const out = await this.#crun("Cannot list containers", ["list", "-q"]);
    return (out ?? "").split("\n").map((id) => id.trim()).filter(Boolean);
  }

  /**
   * Returns crun's version number, e.g. "1.8.1".
   *
   * @throws {CrunError} when crun cannot run.
   */
  async version(): Promise<string> {
    const out = await this.#crun("Cannot read crun version", ["--version"]);
    const firstLine = (out ?? "").split("\n")[0].trim();
    return /^crun version (\S+)/.exec(firstLine)?.[1] ?? firstLine;
  }

  // Runs crun; with unknownIsFine, a failure for a container crun does not
  // know (its state directory is absent) yields null instead of an error.
  async #crun(
    action: string,
    args: string[],
    { unknownIsFine = false } = {},
  ): Promise<string | null> {
    const { crunPath, stateRoot } = this.#options;
    const command = [crunPath, `--root=${stateRoot}`, ...args];
    const result = await this.#spawn(command);
    if (result.code === 0 && !result.timedOut) return result.stdout;

    const id = args.at(-1) ?? "";
    if (unknownIsFine && !result.timedOut && !this.#exists(id)) {
      return null;
    }
    const reason = describeFailure(result, "crun failed without a message");
    throw new CrunError(`${action}: ${reason}`, {
      command,
      exitCode: result.code,
      stderr: result.stderr,
    });
  }

  // Every crun and conmon process starts here.
  async #spawn(
    argv: string[],
    extra: {
      firstLineOnly?: boolean;
      env?: Record<string, string>;
      output?: OutputFiles;
    } = {},
  ): Promise<SpawnResult> {
    const { unmountCgroup2, unsharePath = "/usr/bin/unshare" } = this.#options;
    const { output } = extra;
    let wrapped = argv;
    if (unmountCgroup2 !== undefined) {
      const namespace = { unsharePath, mountPoint: unmountCgroup2 };
      wrapped = withMountRemoved(argv, namespace, output);
    } else if (output) {
      wrapped = redirectOutput(argv, output);
    }
    this.#spawns++;
    try {
      return await spawnAndCollect(wrapped, {
        env: { ...CHILD_ENV, ...extra.env },
        timeoutMs: this.#options.timeoutMs ?? 30_000,
        firstLineOnly: extra.firstLineOnly,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CrunError(`Cannot run "${wrapped[0]}": ${reason}`, {
        command: argv,
        exitCode: null,
        stderr: "",
        cause: error,
      });
    }
  }

  // The commonest cause: a log FIFO nobody reads, which the open before
  // conmon runs waits on (Nomad's logmon holds the read ends).
  #createTimeout(options: CreateOptions): string {
    const ms = this.#options.timeoutMs ?? 30_000;
    const fifos = [options.stdoutPath, options.stderrPath].filter(isFifo);
    const hint = fifos.length > 0
      ? `; ${fifos.map((path) => `"${path}"`).join(" and ")} ` +
        `${fifos.length > 1 ? "are FIFOs" : "is a FIFO"}, and opening one ` +
        "waits for a reader: check that Nomad's logmon is running"
      : "";
    return `timed out after ${ms} ms${hint}`;
  }

  #exists(id: string): boolean {
    return pathExists(join(this.#options.stateRoot, id));
  }

  // A failed create may leave a half-made container, or after a timeout a
  // conmon still waiting for crun. "already exists" (a create that raced
  // this one) means the id belongs to another container: that one stays.
  async #undoCreate(
    id: string,
    files: ConmonFiles,
    reason: string,
    timedOut: boolean,
  ): Promise<void> {
    if (timedOut) killMonitor(files);
    if (!reason.includes("already exists")) {
      await this.delete(id, { force: true }).catch(() => {});
    }
    removeIfExists(files.containerPidFile);
    removeIfExists(files.conmonPidFile);
  }
}

function isFifo(path: string): boolean {
  try {
    return Deno.statSync(path).isFifo === true;
  } catch {
    return false;
  }
}
