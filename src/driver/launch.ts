/**
 * StartTask's work, in the order it happens: check the jar, resolve the
 * user, build the spec, write the bundle, create the container under its
 * monitor, start it. Anything created is removed again when a later step
 * fails, so a failed start leaves nothing behind.
 *
 * @module
 */

import { join } from "node:path";
import { removeIfExists } from "../fs/remove.ts";
import { removeBundle } from "../oci/bundle.ts";
import { writeTaskBundle } from "../oci/shared_rootfs.ts";
import { formatJavaVersion, type JavaRuntime } from "../java/mod.ts";
import type { Host } from "./host.ts";
import { StartFailedError } from "./errors.ts";
import { javaArgv, type JavaTaskConfig } from "./task_config.ts";
import {
  containerId,
  hostnameFor,
  isWritableInside,
  type TaskDirs,
  taskDirs,
  visibleHostPath,
} from "./task_paths.ts";
import type { TaskDriverState } from "./driver_state.ts";
import type { TaskRequest } from "./types.ts";
import type { TaskUser } from "./users.ts";

/** Default PATH inside the container when the task sets none. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" +
  "/sbin:/bin";

/** What {@linkcode launchTask} needs besides the request. */
export interface LaunchInput {
  request: TaskRequest;
  config: JavaTaskConfig;
  java: JavaRuntime;
  user: TaskUser;
  host: Host & Required<Pick<Host, "runtime">>;
  /** Options placed before the task's jvm_options (heap sizing). */
  extraJvmOptions?: string[];
  /** Receives the duration of each step, in ms (see StartTimings). */
  timings?: StartTimings;
}

/**
 * Milliseconds spent in each step of a start, in order. The driver adds
 * the steps before the launch (decode, host, java, user).
 */
export type StartTimings = Record<string, number>;

/** Records the time since the last mark under `name`. */
export function stopwatch(timings: StartTimings): (name: string) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    timings[name] = now - last;
    last = now;
  };
}

/**
 * Creates and starts the task's container and returns its driver state.
 *
 * @throws {StartFailedError} naming the step that failed.
 */
export async function launchTask(input: LaunchInput): Promise<TaskDriverState> {
  const { request, config, java, host } = input;
  const mark = stopwatch(input.timings ?? {});
  const dirs = taskDirs(request.allocDir, request.name);
  checkPaths(request, config, dirs, [
    ...host.layout.boundDirs,
    ...host.layout.symlinks.map((link) => link.path),
    java.home,
  ]);
  mark("paths");

  const id = containerId(request.id, request.name);
  const bundleDir = host.bundles.bundleDir(id);
  const argv = javaArgv(java.java, {
    ...config,
    jvmOptions: [...(input.extraJvmOptions ?? []), ...config.jvmOptions],
  });
  const env = taskEnv(request.env, java);
  checkExecSize(request, argv, env);
  const template = await host.bundles.template(java.home).catch((error) => {
    throw new StartFailedError(
      `Cannot start task "${request.name}": ${(error as Error).message}`,
      true,
      { cause: error },
    );
  });
  mark("template");
  const spec = specFor(request, () =>
    template.render({
      args: argv,
      env,
      cwd: config.workDir ?? "/",
      user: input.user,
      hostname: hostnameFor(request.name, id),
      runtimeHome: java.home,
      taskMounts: {
        localDir: dirs.localDir,
        secretsDir: dirs.secretsDir,
        allocDir: dirs.sharedDir,
      },
      ...limits(request),
      cgroupsPath: `/milo/${id}`,
    }));
  mark("spec");

  try {
    writeTaskBundle(bundleDir, spec);
    mark("bundle");
    const created = await host.runtime.create(id, bundleDir, {
      stdoutPath: request.stdoutPath,
      stderrPath: request.stderrPath,
      exitDir: host.exitDir,
    });
    mark("create");
    await host.runtime.start(id);
    mark("start");
    return {
      taskId: request.id,
      taskName: request.name,
      allocId: request.allocId,
      containerId: id,
      bundleDir,
      crunRoot: host.crunRoot,
      exitDir: host.exitDir,
      pid: created.pid,
      monitorPid: created.monitorPid,
      startedAt: new Date().toISOString(),
      javaHome: java.home,
      javaVersion: formatJavaVersion(java.version),
    };
  } catch (error) {
    await host.runtime.delete(id, { force: true }).catch(() => {});
    try {
      removeBundle(bundleDir);
      removeIfExists(join(host.exitDir, id));
    } catch {
      // The start failed already; its error is the one to report.
    }
    throw new StartFailedError(
      `Cannot start task "${request.name}": container "${id}" failed`,
      true,
      { cause: error },
    );
  }
}

/** Linux's limit on one argv or environment string (MAX_ARG_STRLEN). */
const MAX_EXEC_STRING = 128 * 1024;

/** A safe total for argv plus environment (ARG_MAX is 2 MiB by default). */
const MAX_EXEC_TOTAL = 1536 * 1024;

/**
 * Refuses argv and environments that execve would reject with "Argument
 * list too long" inside the container, where the task would only see a
 * failed exec.
 */
function checkExecSize(
  request: TaskRequest,
  argv: string[],
  env: Record<string, string>,
): void {
  const strings = [
    ...argv,
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
  ];
  const encoder = new TextEncoder();
  let total = 0;
  for (const text of strings) {
    const size = encoder.encode(text).length + 1;
    if (size > MAX_EXEC_STRING) {
      throw new StartFailedError(
        `Cannot start task "${request.name}": an argument or environment ` +
          `variable starting "${text.slice(0, 40)}" is ${size} bytes, more ` +
          `than Linux allows (${MAX_EXEC_STRING}); pass large data in a file`,
        false,
      );
    }
    total += size;
  }
  if (total > MAX_EXEC_TOTAL) {
    throw new StartFailedError(
      `Cannot start task "${request.name}": args, jvm_options and the ` +
        `environment add up to ${total} bytes, more than ${MAX_EXEC_TOTAL}; ` +
        "pass large data in a file",
      false,
    );
  }
}

/**
 * Builds the spec; what buildSpec refuses (an env name with "=", a
 * negative limit) comes from the job, so retrying cannot help.
 */
function specFor<T>(request: TaskRequest, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new StartFailedError(
      `Cannot start task "${request.name}": ${(error as Error).message}`,
      false,
      { cause: error },
    );
  }
}

/**
 * Fails before anything is created when the jar or the working directory
 * is wrong, naming the path as the job gave it and where Milo looked.
 * The stats are synchronous: the alloc dir is on the client's local disk.
 */
function checkPaths(
  request: TaskRequest,
  config: JavaTaskConfig,
  dirs: TaskDirs,
  boundRoots: readonly string[],
): void {
  const fail = (detail: string) =>
    new StartFailedError(
      `Cannot start task "${request.name}": ${detail}`,
      false,
    );

  if (config.jarPath) {
    const hostPath = visibleHostPath(config.jarPath, dirs, boundRoots);
    if (!hostPath) {
      throw fail(
        `jar "${config.jarPath}" is outside what the container sees; put it ` +
          "in the task's local/ (with an artifact block) or under /alloc",
      );
    }
    const info = statOrUndefined(hostPath);
    if (!info?.isFile) {
      throw fail(
        `jar "${config.jarPath}" ${
          info ? "is not a file" : "does not exist"
        } ` +
          `(looked for "${hostPath}"); check jar_path and the task's ` +
          "artifact block",
      );
    }
  }

  // crun creates a missing working directory, and would do so through a
  // read-only bind straight into the host's /usr or /etc.
  if (config.workDir && !isWritableInside(config.workDir)) {
    const hostPath = visibleHostPath(config.workDir, dirs, boundRoots);
    const info = hostPath ? statOrUndefined(hostPath) : undefined;
    if (!info?.isDirectory) {
      throw fail(
        `work_dir "${config.workDir}" is not a directory in the container; ` +
          "use a directory under /local, /alloc or /tmp",
      );
    }
  }
}

/**
 * The task's environment, plus what a JVM needs when the job says nothing:
 * a PATH, JAVA_HOME, and a UTF-8 locale (without one the JVM decodes its
 * arguments as ASCII, mangling "über" before main() runs).
 */
function taskEnv(
  env: Record<string, string>,
  java: JavaRuntime,
): Record<string, string> {
  const out: Record<string, string> = { ...env };
  out.PATH ??= `${java.home}/bin:${DEFAULT_PATH}`;
  out.JAVA_HOME ??= java.home;
  const hasLocale = Object.keys(out).some((key) =>
    key === "LANG" || key.startsWith("LC_")
  );
  if (!hasLocale) out.LANG = "C.UTF-8";
  return out;
}

function limits(request: TaskRequest) {
  const { memoryMb, memoryMaxMb, memoryLimitBytes, cpuShares } =
    request.resources;
  const mib = 1024 * 1024;
  const hard = memoryLimitBytes ||
    (Math.max(memoryMb ?? 0, memoryMaxMb ?? 0) * mib) || undefined;
  const soft = memoryMaxMb && memoryMb && memoryMaxMb > memoryMb
    ? memoryMb * mib
    : undefined;
  return {
    memoryLimitBytes: hard,
    memoryReservationBytes: soft,
    cpuShares: cpuShares || undefined,
  };
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}
