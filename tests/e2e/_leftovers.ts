/**
 * What a task can leave on the host after DestroyTask: a container in
 * crun's state root, a bundle directory, an exit file, a conmon process.
 * And the last-resort cleanup for when the plugin could not remove them.
 *
 * @module
 */

import { join } from "node:path";
import { probeCgroupLayout } from "../../src/crun/cgroup_layout.ts";

const decoder = new TextDecoder();

/** Ids of the containers in crun's state root `crunRoot`. */
export async function listContainers(crunRoot: string): Promise<string[]> {
  // `crun list` reads only the state root, so it works with the hybrid
  // host's cgroup2 mount in place (unlike create, delete and kill).
  const { stdout } = await run("crun", [`--root=${crunRoot}`, "list", "-q"]);
  return stdout.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** Names of the entries of `dir`; none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Pids of conmon processes whose command line mentions `text`. */
export async function conmonPids(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await listDir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      const raw = await Deno.readFile(`/proc/${entry}/cmdline`);
      argv = decoder.decode(raw).split("\0");
    } catch {
      continue; // Gone meanwhile.
    }
    const isConmon = argv.some((arg) => /(^|\/)conmon$/.test(arg));
    if (isConmon && argv.some((arg) => arg.includes(text))) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/**
 * Everything the tasks with `containerIds` left under `stateDir` or in
 * the process table, one description each; empty when clean.
 */
export async function leftoversOf(
  stateDir: string,
  containerIds: string[],
): Promise<string[]> {
  const found: string[] = [];
  const containers = await listContainers(join(stateDir, "crun"));
  const bundles = await listDir(join(stateDir, "bundles"));
  const exits = await listDir(join(stateDir, "exits"));
  for (const id of containerIds) {
    if (containers.includes(id)) found.push(`container ${id} in crun list`);
    if (bundles.includes(id)) found.push(`bundle dir bundles/${id}`);
    if (exits.includes(id)) found.push(`exit file exits/${id}`);
    for (const pid of await conmonPids(id)) {
      found.push(`conmon pid ${pid} for ${id}`);
    }
  }
  return found;
}

/**
 * Leftovers of the tasks, after giving a monitor that is just exiting up
 * to `settleMs` to go (conmon writes the exit file, then exits).
 */
export async function settledLeftovers(
  stateDir: string,
  containerIds: string[],
  settleMs = 3000,
): Promise<string[]> {
  const deadline = performance.now() + settleMs;
  while (true) {
    const found = await leftoversOf(stateDir, containerIds);
    if (found.length === 0 || performance.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Removes every container under `stateDir` and kills their monitors, for
 * a test whose plugin died before it could; returns what it removed.
 */
export async function forceRemoveAll(stateDir: string): Promise<string[]> {
  const crunRoot = join(stateDir, "crun");
  const ids = await listContainers(crunRoot).catch(() => []);
  const unmount = (await probeCgroupLayout()).unmountForCrun;
  for (const id of ids) {
    const crun = ["crun", `--root=${crunRoot}`, "delete", "--force", id];
    // crun refuses the hybrid host's cgroup2 mount for delete: run it in a
    // private mount namespace without it, as the plugin does.
    const argv = unmount
      ? [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "/bin/sh",
        "-c",
        'umount "$1"; shift; exec "$@"',
        "sh",
        unmount,
        ...crun,
      ]
      : crun;
    await run(argv[0], argv.slice(1)).catch(() => {});
  }
  for (const pid of await conmonPids(stateDir)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  return ids;
}

async function run(program: string, args: string[]) {
  const output = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `Cannot run ${program} ${args.join(" ")}: exit code ${output.code}: ` +
        decoder.decode(output.stderr).trim(),
    );
  }
  return { stdout };
}
