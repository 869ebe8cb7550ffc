/**
 * An allocation directory laid out as Nomad's client lays it out
 * (nomad `client/allocdir`): `<alloc>/alloc/{logs,tmp,data}` shared by the
 * tasks, `<alloc>/<task>/{local,secrets,tmp,private}` per task, and the log
 * FIFOs `alloc/logs/.<task>.stdout.fifo` that Nomad's logmon reads.
 *
 * @module
 */

import { join } from "node:path";

/** Paths of one task in an allocation. */
export interface AllocTask {
  allocId: string;
  allocDir: string;
  taskDir: string;
  localDir: string;
  secretsDir: string;
  stdoutFifo: string;
  stderrFifo: string;
}

/**
 * Creates the alloc dir `root/<allocId>` with one task and its FIFOs.
 * Directories tasks write to are world-writable, as Nomad makes them, so
 * a task running as an unprivileged user can use them.
 */
export async function makeAllocDir(
  root: string,
  allocId: string,
  task: string,
): Promise<AllocTask> {
  const allocDir = join(root, allocId);
  const taskDir = join(allocDir, task);
  const paths: AllocTask = {
    allocId,
    allocDir,
    taskDir,
    localDir: join(taskDir, "local"),
    secretsDir: join(taskDir, "secrets"),
    stdoutFifo: join(allocDir, "alloc", "logs", `.${task}.stdout.fifo`),
    stderrFifo: join(allocDir, "alloc", "logs", `.${task}.stderr.fifo`),
  };
  for (const dir of ["alloc", "alloc/logs", "alloc/tmp", "alloc/data"]) {
    await makeDir(join(allocDir, dir), 0o777);
  }
  await makeDir(taskDir, 0o777);
  for (const dir of ["local", "secrets", "tmp", "private"]) {
    await makeDir(join(taskDir, dir), 0o777);
  }
  await makeFifos([paths.stdoutFifo, paths.stderrFifo]);
  return paths;
}

async function makeDir(path: string, mode: number): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  await Deno.chmod(path, mode);
}

/** Deno has no mkfifo(2); coreutils' mkfifo does the same. */
async function makeFifos(paths: string[]): Promise<void> {
  const result = await new Deno.Command("mkfifo", {
    args: ["-m", "600", "--", ...paths],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `Cannot create log FIFOs: mkfifo failed: ` +
        new TextDecoder().decode(result.stderr).trim(),
    );
  }
}
