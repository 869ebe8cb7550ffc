import assert from "node:assert/strict";
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
