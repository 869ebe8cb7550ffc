/**
 * StartTask's work, in the order it happens: check the jar, resolve the
 * user, build the spec, write the bundle, create the container under its
 * monitor, start it. Anything created is removed again when a later step
 * fails, so a failed start leaves nothing behind.
 *
 * @module
 */

import { join } from "node:path";
import { buildSpec } from "../oci/spec.ts";
import { removeBundle, writeBundle } from "../oci/bundle.ts";
import type { JavaRuntime } from "../java/default_runtime.ts";
import type { Host } from "./host.ts";
import { StartFailedError } from "./errors.ts";
import { javaArgv, type JavaTaskConfig } from "./task_config.ts";
import { containerId, hostPathOf, taskDirs } from "./task_paths.ts";
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
}

/**
 * Creates and starts the task's container and returns its driver state.
 *
 * @throws {StartFailedError} naming the step that failed.
 */
export async function launchTask(input: LaunchInput): Promise<TaskDriverState> {
  const { request, config, java, host } = input;
  const dirs = taskDirs(request.allocDir, request.name);
  await checkJar(request, config, dirs);

  const id = containerId(request.id, request.name);
  const bundleDir = join(host.bundlesDir, id);
  const spec = buildSpec({
    args: javaArgv(java.java, config),
    env: taskEnv(request.env, java),
    cwd: config.workDir ?? "/",
    user: input.user,
    hostname: request.name.slice(0, 63) || id,
    runtimeHome: java.home,
    taskMounts: {
      localDir: dirs.localDir,
      secretsDir: dirs.secretsDir,
      allocDir: dirs.sharedDir,
    },
    ...limits(request),
    cgroupsPath: `/milo/${id}`,
  }, host.layout);

  await writeBundle(bundleDir, spec, host.layout);
  try {
    const created = await host.runtime.create(id, bundleDir, {
      stdoutPath: request.stdoutPath,
      stderrPath: request.stderrPath,
      exitDir: host.exitDir,
    });
    await host.runtime.start(id);
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
      javaVersion: java.version,
    };
  } catch (error) {
    await host.runtime.delete(id, { force: true }).catch(() => {});
    await removeBundle(bundleDir).catch(() => {});
    await Deno.remove(join(host.exitDir, id)).catch(() => {});
    throw new StartFailedError(
      `Cannot start task "${request.name}": container "${id}" failed`,
      true,
      { cause: error },
    );
  }
}

/**
 * Fails before anything is created when the jar is missing, naming the
 * path as the job gave it and where Milo looked on the host.
 */
async function checkJar(
  request: TaskRequest,
  config: JavaTaskConfig,
  dirs: ReturnType<typeof taskDirs>,
): Promise<void> {
  if (!config.jarPath) return;
  const hostPath = hostPathOf(config.jarPath, dirs);
  let isFile = false;
  try {
    isFile = (await Deno.stat(hostPath)).isFile;
  } catch {
    // Reported below.
  }
  if (!isFile) {
    throw new StartFailedError(
      `Cannot start task "${request.name}": jar "${config.jarPath}" does ` +
        `not exist (looked for "${hostPath}"); check jar_path and the ` +
        "task's artifact block",
      false,
    );
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
