/**
 * crun and conmon behind one class: the only code in Milo that runs them.
 *
 * @module
 */

import { join } from "node:path";
import {
  buildConmonArgs,
  type ConmonFiles,
  conmonFiles,
  prepareCreate,
  readCrunLog,
  readPid,
  readSyncMessage,
  REDIRECT_SCRIPT,
  removeQuietly,
} from "./_conmon.ts";
import { isMonitorAlive } from "./_proc.ts";
import {
  spawnAndCollect,
  type SpawnResult,
  withMountRemoved,
} from "./_spawn.ts";
import { CrunError } from "./crun_error.ts";
import type {
  ContainerRuntimeOptions,
  ContainerState,
  CreatedContainer,
  CreateOptions,
} from "./types.ts";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const VALID_ID = /^[A-Za-z0-9_+.-]+$/;

/** Creates, starts, signals, inspects and deletes crun containers. */
export class ContainerRuntime {
  #crunPath: string;
  #conmonPath: string;
  #stateRoot: string;
  #unmount?: { unsharePath: string; mountPoint: string };
  #timeoutMs: number;

  /** Keeps the options; nothing runs until a method is called. */
  constructor(options: ContainerRuntimeOptions) {
    this.#crunPath = options.crunPath;
    this.#conmonPath = options.conmonPath;
    this.#stateRoot = options.stateRoot;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (options.unmountCgroup2 !== undefined) {
      this.#unmount = {
        unsharePath: options.unsharePath ?? "/usr/bin/unshare",
        mountPoint: options.unmountCgroup2,
      };
    }
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
    const action = `Cannot create container "${checkId(id)}"`;
    const files = conmonFiles(bundleDir);
    await prepareCreate(files, options, id);

    const command = [
      this.#conmonPath,
      ...buildConmonArgs({
        id,
        bundleDir,
        crunPath: this.#crunPath,
        stateRoot: this.#stateRoot,
        exitDir: options.exitDir,
        persistDir: options.persistDir,
        files,
      }),
    ];
    const { stdoutPath, stderrPath } = options;
    const wrapper = ["/bin/sh", "-c", REDIRECT_SCRIPT, "sh"];
    const result = await this.#spawn(
      [...wrapper, stdoutPath, stderrPath, ...command],
      { firstLineOnly: true, env: { _OCI_SYNCPIPE: "3" } },
    );

    const sync = readSyncMessage(result);
    if (sync !== null && sync.pid > 0 && !result.timedOut) {
      return { pid: sync.pid, monitorPid: await readPid(files.conmonPidFile) };
    }

    const reason = sync?.message || await readCrunLog(files.crunLogFile) ||
      failureReason(result, "conmon exited without reporting a container");
    await this.#undoCreate(id, files, reason, result.timedOut);
    throw new CrunError(`${action}: ${reason}`, {
      command,
      exitCode: result.code,
      stderr: result.stderr,
    });
  }

  /**
   * Starts a created container's process.
   *
   * @throws {CrunError} when crun refuses, e.g. the container is running.
   */
  async start(id: string): Promise<void> {
    const action = `Cannot start container "${checkId(id)}"`;
    await this.#crun(action, ["start", id]);
  }

  /**
   * Sends `signal` ("SIGTERM", "TERM" or 15) to the container's init
   * process, or with `all` to every process in it. The kernel drops
   * signals a pid namespace's init has no handler for, except SIGKILL.
   *
   * @throws {CrunError} when the container is unknown or not running.
   */
  async kill(id: string, signal: string | number, all = false): Promise<void> {
    const action = `Cannot signal container "${checkId(id)}"`;
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
    const action = `Cannot delete container "${checkId(id)}"`;
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
    const action = `Cannot read state of container "${checkId(id)}"`;
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
    const command = [this.#crunPath, `--root=${this.#stateRoot}`, ...args];
    const result = await this.#spawn(command);
    if (result.code === 0 && !result.timedOut) return result.stdout;

    const id = args.at(-1) ?? "";
    if (unknownIsFine && !result.timedOut && !(await this.#exists(id))) {
      return null;
    }
    const reason = failureReason(result, "crun failed without a message");
    throw new CrunError(`${action}: ${reason}`, {
      command,
      exitCode: result.code,
      stderr: result.stderr,
    });
  }

  // Every crun and conmon process starts here.
  async #spawn(
    argv: string[],
    extra: { firstLineOnly?: boolean; env?: Record<string, string> } = {},
  ): Promise<SpawnResult> {
    const wrapped = this.#unmount === undefined
      ? argv
      : withMountRemoved(argv, this.#unmount);
    try {
      return await spawnAndCollect(wrapped, {
        env: { PATH, ...extra.env },
        timeoutMs: this.#timeoutMs,
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

  async #exists(id: string): Promise<boolean> {
    try {
      await Deno.lstat(join(this.#stateRoot, id));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  // A failed create may leave a half-made container, or after a timeout a
  // conmon still waiting for crun. "already exists" means the id belongs
  // to another container: that one stays.
  async #undoCreate(
    id: string,
    files: ConmonFiles,
    reason: string,
    timedOut: boolean,
  ): Promise<void> {
    if (timedOut) {
      const monitorPid = await readPid(files.conmonPidFile).catch(() => 0);
      if (monitorPid > 0 && await isMonitorAlive(monitorPid)) {
        Deno.kill(monitorPid, "SIGKILL");
      }
    }
    if (!reason.includes("already exists")) {
      await this.delete(id, { force: true }).catch(() => {});
    }
    await removeQuietly(files.containerPidFile);
    await removeQuietly(files.conmonPidFile);
  }
}

function checkId(id: string): string {
  if (!VALID_ID.test(id) || id === "." || id === "..") {
    throw new TypeError(
      `Cannot use container id "${id}": only letters, digits and "_+.-" are allowed`,
    );
  }
  return id;
}

function failureReason(result: SpawnResult, fallback: string): string {
  if (result.timedOut) return "timed out";
  return result.stderr || `${fallback} (exit code ${result.code})`;
}
