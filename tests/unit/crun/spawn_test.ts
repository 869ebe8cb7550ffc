import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnAndCollect, withMountRemoved } from "../../../src/crun/_spawn.ts";

const ENV = { PATH: "/usr/bin:/bin" };

Deno.test("spawnAndCollect() collects exit code, stdout and stderr", async () => {
  const result = await spawnAndCollect(
    ["/bin/sh", "-c", 'echo "$1"; echo oops >&2; exit 4', "sh", "a 'b' ü"],
    { env: ENV, timeoutMs: 10_000 },
  );

  assert.deepEqual(result, {
    code: 4,
    stdout: "a 'b' ü\n",
    stderr: "oops",
    timedOut: false,
  });
});

Deno.test("spawnAndCollect() returns the first line while a writer lives on", async () => {
  // The background sleep keeps stdout open, as conmon keeps its sync pipe
  // (and, like conmon, not stderr).
  const script = "echo '{\"data\": 1}'; sleep 2 2>/dev/null & exit 0";

  const result = await spawnAndCollect(["/bin/sh", "-c", script], {
    env: ENV,
    timeoutMs: 10_000,
    firstLineOnly: true,
  });

  assert.equal(result.stdout, '{"data": 1}');
  assert.equal(result.timedOut, false);
});

Deno.test("spawnAndCollect() kills a process that outlasts its timeout", async () => {
  const result = await spawnAndCollect(["/bin/sleep", "30"], {
    env: ENV,
    timeoutMs: 50,
  });

  assert.equal(result.timedOut, true);
  assert.equal(result.code, null);
});

Deno.test("withMountRemoved() passes the mount point as a parameter", () => {
  const argv = withMountRemoved(["/usr/bin/crun", "list"], {
    unsharePath: "/usr/bin/unshare",
    mountPoint: "/sys/fs/cgroup/unified",
  });

  assert.deepEqual(argv.slice(0, 5), [
    "/usr/bin/unshare",
    "--mount",
    "--propagation",
    "private",
    "/bin/sh",
  ]);
  assert.deepEqual(argv.slice(7), [
    "sh",
    "/sys/fs/cgroup/unified",
    "/usr/bin/crun",
    "list",
  ]);
});

Deno.test("withMountRemoved() with output redirects in the same shell", async () => {
  const dir = await Deno.makeTempDir({ prefix: "milo_spawn_" });
  try {
    const out = join(dir, 'o "1"');
    const err = join(dir, "e $(x)");
    const argv = withMountRemoved(["/bin/echo", "hello"], {
      unsharePath: "/usr/bin/unshare",
      mountPoint: "/sys/fs/cgroup/unified",
    }, { stdoutPath: out, stderrPath: err });

    assert.equal(argv.filter((arg) => arg === "/bin/sh").length, 1);
    assert.deepEqual(argv.slice(7), [
      "sh",
      "/sys/fs/cgroup/unified",
      out,
      err,
      "/bin/echo",
      "hello",
    ]);
    assert.equal(argv[6].includes(dir), false, "paths are parameters");

    // The script without the unmount step, run for real: output lands in
    // the files and the sync descriptor (3) is the shell's stdout.
    const script = argv[6].replace('umount "$1" || exit 125; shift; ', "");
    const child = await new Deno.Command("/bin/sh", {
      args: [
        "-c",
        script,
        "sh",
        out,
        err,
        "/bin/sh",
        "-c",
        "echo s >&3; echo o; echo e >&2",
      ],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(child.stdout), "s\n");
    assert.equal(await Deno.readTextFile(out), "o\n");
    assert.equal(await Deno.readTextFile(err), "e\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
