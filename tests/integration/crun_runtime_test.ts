// Real crun, conmon and bundles, with the hybrid-cgroup workaround if needed.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import {
  buildSpec,
  type HostLayout,
  probeHostLayout,
  removeBundle,
  writeBundle,
} from "../../src/oci/mod.ts";
import { SharedRootfs, writeTaskBundle } from "../../src/oci/shared_rootfs.ts";
import { SpecTemplate } from "../../src/oci/spec_template.ts";
import { specCases } from "../unit/oci/_spec_cases.ts";
import {
  ContainerRuntime,
  CrunError,
  ExitWatcher,
  probeCgroupLayout,
} from "../../src/crun/mod.ts";

const CRUN = "/usr/bin/crun";
const CONMON = "/usr/bin/conmon";
const ROOT = { uid: 0, gid: 0 };
const NOBODY = { uid: 65534, gid: 65534 };

const javaHome = await findJavaHome();
const skipReason = await missingPrerequisite();
const suffix = skipReason === null ? "" : ` (skipped: ${skipReason})`;

interface Fixture {
  runtime: ContainerRuntime;
  exits: ExitWatcher;
  layout: HostLayout;
  base: string;
}

/** Runs `fn` with a fresh state root, exit dir and watcher. */
function integrationTest(name: string, fn: (f: Fixture) => Promise<void>) {
  Deno.test({
    name: `${name}${suffix}`,
    ignore: skipReason !== null,
    permissions: "inherit", // reading /proc and /sys needs all of them
    async fn() {
      const temp = await Deno.makeTempDir({ prefix: "milo_it_" });
      // Quotes, a dollar and non-ASCII in every path the wrappers see.
      const base = join(temp, 'it\'s "ü" $x');
      const cgroups = await probeCgroupLayout();
      const runtime = new ContainerRuntime({
        crunPath: CRUN,
        conmonPath: CONMON,
        stateRoot: join(base, "crun state"),
        unmountCgroup2: cgroups.unmountForCrun ?? undefined,
      });
      await Deno.mkdir(join(base, "exits"), { recursive: true });
      const exits = new ExitWatcher(join(base, "exits"));
      try {
        await fn({ runtime, exits, layout: await probeHostLayout(), base });
      } finally {
        await exits.close();
        for (const id of await runtime.list()) {
          await runtime.delete(id, { force: true });
        }
        await Deno.remove(temp, { recursive: true });
        await removeTestCgroups();
      }
    },
  });
}

async function prepare(f: Fixture, id: string, args: string[], user = ROOT) {
  const task = join(f.base, "tasks", id);
  const taskMounts = {
    localDir: join(task, "local"),
    secretsDir: join(task, "secrets"),
    allocDir: join(task, "alloc"),
  };
  for (const dir of Object.values(taskMounts)) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const spec = buildSpec({
    args,
    env: { PATH: "/usr/bin:/bin", JAVA_HOME: javaHome ?? "" },
    cwd: "/local",
    user,
    hostname: id,
    runtimeHome: javaHome ?? "/usr",
    taskMounts,
    memoryLimitBytes: 512 * 1024 * 1024,
    cpuShares: 500,
    cgroupsPath: `/milo-test/${id}`,
  }, f.layout);
  const bundle = join(f.base, "bundles", id);
  await writeBundle(bundle, spec, f.layout);
  return {
    bundle,
    stdoutPath: join(task, "stdout"),
    stderrPath: join(task, "stderr"),
    exitDir: join(f.base, "exits"),
  };
}

async function run(f: Fixture, id: string, args: string[], user = ROOT) {
  const prepared = await prepare(f, id, args, user);
  const created = await f.runtime.create(id, prepared.bundle, prepared);
  await f.runtime.start(id);
  const exit = await f.exits.waitForExit(id, created.monitorPid);
  return { ...prepared, ...created, exit };
}

integrationTest("create() runs java -version as nobody, exit 0", async (f) => {
  const java = join(javaHome!, "bin/java");

  const result = await run(f, "java-version", [java, "-version"], NOBODY);

  assert.deepEqual(result.exit, { exitCode: 0 });
  assert.ok(result.pid > 0 && result.monitorPid > 0);
  assert.match(await Deno.readTextFile(result.stderrPath), /version "\d+/);
  assert.equal(await Deno.readTextFile(result.stdoutPath), "");
  assert.equal((await f.runtime.state("java-version"))?.status, "stopped");
});

integrationTest(
  "create() with an unread log FIFO times out and says why",
  async (f) => {
    const prepared = await prepare(f, "unread", ["/bin/true"]);
    const mkfifo = await new Deno.Command("mkfifo", {
      args: [prepared.stdoutPath],
    }).output();
    assert.equal(mkfifo.code, 0);
    const cgroups = await probeCgroupLayout();
    const impatient = new ContainerRuntime({
      crunPath: CRUN,
      conmonPath: CONMON,
      stateRoot: join(f.base, "crun state"),
      unmountCgroup2: cgroups.unmountForCrun ?? undefined,
      timeoutMs: 300,
    });

    await assert.rejects(
      impatient.create("unread", prepared.bundle, prepared),
      (error: Error) => {
        assert.ok(error instanceof CrunError);
        assert.match(error.message, /timed out after 300 ms/);
        assert.match(error.message, /stdout" is a FIFO/);
        assert.match(error.message, /logmon/);
        return true;
      },
    );
    assert.deepEqual(await f.runtime.list(), []);
  },
);

integrationTest("create() writes to FIFOs a reader holds open", async (f) => {
  const args = ["/bin/sh", "-c", "echo out; echo err >&2"];
  const prepared = await prepare(f, "fifo", args);
  const paths = [prepared.stdoutPath, prepared.stderrPath];
  for (const path of paths) {
    const mkfifo = await new Deno.Command("mkfifo", { args: [path] })
      .output();
    assert.equal(mkfifo.code, 0);
  }
  // Opening a FIFO blocks until the other side opens it, as with Nomad.
  const readers = paths.map(async (path) => {
    const file = await Deno.open(path, { read: true });
    return await new Response(file.readable).text();
  });

  const created = await f.runtime.create("fifo", prepared.bundle, prepared);
  await f.runtime.start("fifo");

  assert.deepEqual(await Promise.all(readers), ["out\n", "err\n"]);
  const exit = await f.exits.waitForExit("fifo", created.monitorPid);
  assert.deepEqual(exit, { exitCode: 0 });
});

integrationTest(
  "start() releases the container without a crun process",
  async (f) => {
    const sleeper = await prepare(f, "quick", ["/usr/bin/sleep", "600"]);
    const created = await f.runtime.create("quick", sleeper.bundle, sleeper);
    assert.equal((await f.runtime.state("quick"))?.status, "created");

    const spawns = f.runtime.spawns;
    await f.runtime.start("quick");
    assert.equal(f.runtime.spawns, spawns, "no crun start was run");
    assert.equal((await f.runtime.state("quick"))?.status, "running");

    // A second start is crun's to refuse, as it always was.
    await assert.rejects(f.runtime.start("quick"), (error: CrunError) => {
      assert.match(error.message, /Cannot start container "quick": /);
      return true;
    });
    await f.runtime.kill("quick", "SIGKILL");
    const exit = await f.exits.waitForExit("quick", created.monitorPid);
    assert.deepEqual(exit, { exitCode: 137 });
  },
);

integrationTest(
  "start() of an unknown container is crun's error",
  async (f) => {
    await assert.rejects(
      f.runtime.start("nobody-made-this"),
      (error: Error) => {
        assert.ok(error instanceof CrunError);
        assert.match(
          error.message,
          /Cannot start container "nobody-made-this"/,
        );
        return true;
      },
    );
  },
);

integrationTest(
  "start() after the created init died is crun's error",
  async (f) => {
    const sleeper = await prepare(f, "dead-init", ["/usr/bin/sleep", "600"]);
    const created = await f.runtime.create(
      "dead-init",
      sleeper.bundle,
      sleeper,
    );
    Deno.kill(created.pid, "SIGKILL");
    await f.exits.waitForExit("dead-init", created.monitorPid);

    // Nobody reads the FIFO now: no hang, crun says what is wrong.
    const spawns = f.runtime.spawns;
    await assert.rejects(f.runtime.start("dead-init"), CrunError);
    assert.equal(f.runtime.spawns, spawns + 1, "crun start ran");
  },
);

integrationTest("waitForExit() reports a shell's exit code 3", async (f) => {
  const result = await run(f, "exit-3", ["/bin/sh", "-c", "exit 3"]);

  assert.deepEqual(result.exit, { exitCode: 3 });
});

integrationTest("kill() with SIGKILL ends sleep with exit 137", async (f) => {
  const sleeper = await prepare(f, "sleeper", ["/usr/bin/sleep", "600"]);
  const created = await f.runtime.create("sleeper", sleeper.bundle, sleeper);
  await f.runtime.start("sleeper");
  assert.equal((await f.runtime.state("sleeper"))?.status, "running");

  // sleep is the pid namespace's init: the kernel drops SIGTERM for it.
  await f.runtime.kill("sleeper", "SIGTERM");
  await f.runtime.kill("sleeper", 9);

  const exit = await f.exits.waitForExit("sleeper", created.monitorPid);
  assert.deepEqual(exit, { exitCode: 137 });
});

integrationTest("delete() leaves no state and is idempotent", async (f) => {
  await run(f, "short", ["/bin/true"]);
  assert.deepEqual(await f.runtime.list(), ["short"]);

  await f.runtime.delete("short");
  await f.runtime.delete("short");

  assert.deepEqual(await f.runtime.list(), []);
  assert.equal(await f.runtime.state("short"), null);
});

integrationTest("create() rejects a bad spec with crun's words", async (f) => {
  const prepared = await prepare(f, "bad", ["/nonexistent/java"]);

  const error = await f.runtime.create("bad", prepared.bundle, prepared)
    .catch((error) => error);

  assert.ok(error instanceof CrunError);
  assert.equal(error.name, "CrunError");
  assert.match(error.message, /^Cannot create container "bad": /);
  assert.match(error.message, /`\/nonexistent\/java` not found/);
  assert.equal(await f.runtime.state("bad"), null);
  assert.deepEqual(await f.runtime.list(), []);
  await assert.rejects(Deno.stat(join(prepared.exitDir, "bad")));
});

integrationTest("create() refuses an id that is taken", async (f) => {
  const prepared = await prepare(f, "taken", ["/usr/bin/sleep", "600"]);
  const first = await f.runtime.create("taken", prepared.bundle, prepared);

  await assert.rejects(
    f.runtime.create("taken", prepared.bundle, prepared),
    /^CrunError: Cannot create container "taken": it already exists/,
  );

  assert.equal((await f.runtime.state("taken"))?.pid, first.pid);
});

integrationTest("create() runs 10 containers concurrently", async (f) => {
  const ids = Array.from({ length: 10 }, (_, i) => `many-${i}`);

  const results = await Promise.all(
    ids.map((id) => run(f, id, ["/bin/sh", "-c", `echo ${id}`])),
  );

  for (const [i, result] of results.entries()) {
    assert.deepEqual(result.exit, { exitCode: 0 });
    assert.equal(await Deno.readTextFile(result.stdoutPath), `${ids[i]}\n`);
  }
  assert.deepEqual((await f.runtime.list()).sort(), ids);
  await Promise.all(ids.map((id) => f.runtime.delete(id)));
  await Promise.all(results.map((result) => removeBundle(result.bundle)));
  assert.deepEqual(await f.runtime.list(), []);
});

integrationTest("version() reports crun's version", async (f) => {
  assert.match(await f.runtime.version(), /^\d+\.\d+/);
});

integrationTest("crun runs every spec the golden tests generate", async (f) => {
  // The golden cases with their paths pointed at real directories: the
  // allocation's, the JDK on PATH, and an /opt-style home outside /usr.
  const alloc = join(f.base, "alloc");
  const opt = join(f.base, "opt-jdk");
  await Deno.mkdir(join(opt, "bin"), { recursive: true });
  await Deno.symlink(join(javaHome!, "bin/java"), join(opt, "bin/java"));
  const rootfs = new SharedRootfs(join(f.base, "rootfs"));
  const host = await probeHostLayout();

  for (const c of specCases({ alloc, jdk: javaHome!, opt })) {
    for (const dir of Object.values(c.input.taskMounts)) {
      await Deno.mkdir(dir, { recursive: true });
    }
    // The sample layouts describe other hosts; bind what this one has.
    const template = new SpecTemplate(
      host,
      c.input.runtimeHome,
      await rootfs.get(
        new SpecTemplate(host, c.input.runtimeHome, "/").mountPoints,
        host.symlinks,
      ),
    );
    const id = `golden-${c.name}`;
    const bundle = join(f.base, "bundles", id);
    await Deno.mkdir(dirname(bundle), { recursive: true });
    await writeTaskBundle(
      bundle,
      template.render({ ...c.input, cgroupsPath: `/milo-test/${id}` }),
    );
    const output = {
      stdoutPath: join(f.base, `${id}.out`),
      stderrPath: join(f.base, `${id}.err`),
      exitDir: join(f.base, "exits"),
    };
    const created = await f.runtime.create(id, bundle, output);
    await f.runtime.start(id);
    const exit = await f.exits.waitForExit(id, created.monitorPid);
    const stderr = await Deno.readTextFile(output.stderrPath);
    // The JVM ran: it printed its version or looked for the task's code.
    assert.match(
      stderr,
      /version "\d+|Unable to access jarfile|Could not find or load main class/,
      `${c.name}: exit ${exit.exitCode}, stderr: ${stderr}`,
    );
    await f.runtime.delete(id, { force: true });
  }
});

async function findJavaHome(): Promise<string | null> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const java = await Deno.realPath(join(dir, "java")).catch(() => null);
    if (java !== null) return dirname(dirname(java));
  }
  return null;
}

async function missingPrerequisite(): Promise<string | null> {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return "needs root";
  for (const path of [CRUN, CONMON]) {
    if (await Deno.stat(path).catch(() => null) === null) {
      return `needs ${path}`;
    }
  }
  return javaHome === null ? "needs a JDK on PATH" : null;
}

// crun removes a container's cgroup, not the "/milo-test" parent.
async function removeTestCgroups(): Promise<void> {
  const controllers = [""];
  for await (const { name } of Deno.readDir("/sys/fs/cgroup")) {
    controllers.push(name);
  }
  for (const dir of controllers) {
    await Deno.remove(join("/sys/fs/cgroup", dir, "milo-test")).catch(() => {});
  }
}
