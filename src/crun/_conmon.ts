/**
 * conmon's command line and its sync-pipe protocol. Private to src/crun.
 *
 * Facts from containers/conmon v2.1.6 (src/conmon.c, src/parent_pipe_fd.c):
 * the first process forks, writes the `-P` pidfile and exits at once; the
 * daemon runs `crun create`, then writes one JSON line to the descriptor
 * named by `_OCI_SYNCPIPE`: `{"data": <pid>}` with `--api-version`
 * (`"pid"` with the legacy API). When create fails it writes
 * `{"data": -1, "message": ...}` only if crun's stderr reached conmon,
 * which never happens with passthrough logging: crun then writes straight
 * to the task's stderr and conmon just exits, closing the pipe. crun's
 * `--log` file is where Milo reads the reason from instead.
 *
 * @module
 */

import { join } from "node:path";
import { removeIfExists } from "../fs/remove.ts";
import { isMonitorAlive } from "./_proc.ts";
import type { SpawnResult } from "./_spawn.ts";
import type { CreateOptions } from "./types.ts";

/** Files conmon and crun write into a bundle during create. */
export interface ConmonFiles {
  /** Pid of the container's init process (`-p`). */
  containerPidFile: string;
  /** Pid of the conmon daemon (`-P`). */
  conmonPidFile: string;
  /** crun's error log for the create call, as JSON lines. */
  crunLogFile: string;
}

/** Inputs of {@linkcode buildConmonCommand}. */
export interface ConmonCommandInput {
  conmonPath: string;
  id: string;
  bundleDir: string;
  crunPath: string;
  stateRoot: string;
  exitDir: string;
  persistDir?: string;
  files: ConmonFiles;
}

/** Names the files of {@linkcode ConmonFiles} inside a bundle. */
export function conmonFiles(bundleDir: string): ConmonFiles {
  return {
    containerPidFile: join(bundleDir, "container.pid"),
    conmonPidFile: join(bundleDir, "conmon.pid"),
    crunLogFile: join(bundleDir, "crun.log"),
  };
}

/** Builds conmon's command line, its path first. */
export function buildConmonCommand(input: ConmonCommandInput): string[] {
  const { id, files } = input;
  const args = [
    input.conmonPath,
    "--api-version",
    "--cid=" + id,
    "--cuuid=" + id,
    "--name=" + id,
    "--runtime=" + input.crunPath,
    "--runtime-arg=--root=" + input.stateRoot,
    // "file:" keeps crun from reading a ":" in the path as a log type.
    "--runtime-arg=--log=file:" + files.crunLogFile,
    "--runtime-arg=--log-format=json",
    "--bundle=" + input.bundleDir,
    "--container-pidfile=" + files.containerPidFile,
    "--conmon-pidfile=" + files.conmonPidFile,
    "--exit-dir=" + input.exitDir,
    "--log-path=passthrough:",
    // Only fatal messages, to syslog too: once conmon has forked crun it
    // points its own stdio at /dev/null in passthrough mode.
    "--log-level=error",
    "--syslog",
  ];
  if (input.persistDir !== undefined) {
    args.push("--persist-dir=" + input.persistDir);
  }
  return args;
}

/** What conmon reported on the sync pipe. */
export interface SyncMessage {
  /** Container pid, or a negative number on failure. */
  pid: number;
  /** conmon's error text, when it sent one. */
  message?: string;
}

/**
 * Reads conmon's sync message from the wrapper's stdout, where nothing
 * else is written; null when there is none or it is garbled, in which case
 * the parse error is appended to `result.stderr`.
 */
export function readSyncMessage(result: SpawnResult): SyncMessage | null {
  try {
    return parseSyncMessage(result.stdout);
  } catch (error) {
    result.stderr = `${result.stderr}\n${error}`.trim();
    return null;
  }
}

/**
 * Parses conmon's sync-pipe line; null when the line is empty (conmon
 * closed the pipe without a word).
 *
 * @throws {SyntaxError} when the line is not conmon's JSON.
 */
export function parseSyncMessage(line: string): SyncMessage | null {
  if (line.trim() === "") return null;
  const value = JSON.parse(line);
  const pid = value?.data ?? value?.pid;
  if (typeof pid !== "number") {
    throw new SyntaxError(`Cannot parse conmon sync message "${line}"`);
  }
  return typeof value.message === "string"
    ? { pid, message: value.message.trim() }
    : { pid };
}

/**
 * Reads the error messages of crun's JSON log; empty when there is none.
 */
export async function readCrunLog(path: string): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  const messages: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line);
      if (entry.level !== "warning") messages.push(String(entry.msg));
    } catch {
      messages.push(line.trim());
    }
  }
  return messages.join("; ");
}

/**
 * Clears what an earlier container of the same id left: its pid files and
 * crun log, and its exit files, which would make the new one look
 * finished. Creates the exit directory.
 *
 * The file calls on a create's path are synchronous, here and below: they
 * touch Milo's state dir (local, usually tmpfs) and take microseconds,
 * while an async call costs a trip through Deno's blocking thread pool,
 * 0.3 ms or more when many tasks start at once (see docs/performance.md).
 */
export function prepareCreate(
  files: ConmonFiles,
  options: CreateOptions,
  id: string,
): void {
  Deno.mkdirSync(options.exitDir, { recursive: true });
  removeIfExists(join(options.exitDir, id));
  if (options.persistDir !== undefined) {
    removeIfExists(join(options.persistDir, "exit"));
  }
  for (const file of Object.values(files)) removeIfExists(file);
}

/**
 * Reads a pid file written by conmon or crun.
 *
 * @throws {SyntaxError} when the file does not hold a positive number.
 */
export function readPid(path: string): number {
  const pid = Number.parseInt(Deno.readTextFileSync(path), 10);
  if (!(pid > 0)) throw new SyntaxError(`Cannot read pid from "${path}"`);
  return pid;
}

/** Kills the conmon of a create that timed out, if it still lives. */
export function killMonitor(files: ConmonFiles): void {
  let pid = 0;
  try {
    pid = readPid(files.conmonPidFile);
  } catch {
    return; // conmon never wrote it: nothing to kill.
  }
  if (isMonitorAlive(pid)) Deno.kill(pid, "SIGKILL");
}

/** Tells whether `path` exists, without following a final symlink. */
export function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
