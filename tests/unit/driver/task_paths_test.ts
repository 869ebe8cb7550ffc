import assert from "node:assert/strict";
import {
  containerId,
  hostPathOf,
  taskDirs,
} from "../../../src/driver/task_paths.ts";

const dirs = taskDirs("/var/nomad/alloc/a1", "web");

Deno.test("taskDirs() follows Nomad's alloc dir layout", () => {
  assert.deepEqual(dirs, {
    taskDir: "/var/nomad/alloc/a1/web",
    localDir: "/var/nomad/alloc/a1/web/local",
    secretsDir: "/var/nomad/alloc/a1/web/secrets",
    sharedDir: "/var/nomad/alloc/a1/alloc",
  });
});

Deno.test("hostPathOf() maps container paths into the allocation", async (t) => {
  const cases: [string, string][] = [
    ["local/app.jar", "/var/nomad/alloc/a1/web/local/app.jar"],
    [
      "/local/my app/app v1.jar",
      "/var/nomad/alloc/a1/web/local/my app/app v1.jar",
    ],
    ["/secrets/key", "/var/nomad/alloc/a1/web/secrets/key"],
    ["/alloc/data/x.jar", "/var/nomad/alloc/a1/alloc/data/x.jar"],
    ["/usr/share/java/js.jar", "/usr/share/java/js.jar"],
    ["/localx/app.jar", "/localx/app.jar"],
    ["local/../../etc/passwd", "/etc/passwd"],
  ];
  for (const [inside, host] of cases) {
    await t.step(inside, () => assert.equal(hostPathOf(inside, dirs), host));
  }
});

Deno.test("containerId() is crun-safe, readable and unique per task id", () => {
  const a = containerId("alloc-1/web/abcd1234", "web");
  const b = containerId("alloc-2/web/abcd1234", "web");
  assert.match(a, /^milo-web-[0-9a-f]{16}$/);
  assert.notEqual(a, b);
  assert.equal(a, containerId("alloc-1/web/abcd1234", "web"));

  const odd = containerId("x/日本 語/1", "日本 語/..");
  assert.match(odd, /^milo-[A-Za-z0-9_.+-]+$/);
  assert.ok(containerId("x", "n".repeat(500)).length < 80);
});
