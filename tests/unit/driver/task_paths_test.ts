import assert from "node:assert/strict";
import {
  containerId,
  hostnameFor,
  hostPathOf,
  isWritableInside,
  taskDirs,
  visibleHostPath,
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

Deno.test("visibleHostPath() sees the allocation and the bound roots only", () => {
  const roots = ["/usr", "/etc", "/opt/jdk-21"];
  assert.equal(
    visibleHostPath("local/app.jar", dirs, roots),
    "/var/nomad/alloc/a1/web/local/app.jar",
  );
  assert.equal(
    visibleHostPath("/usr/share/java/js.jar", dirs, roots),
    "/usr/share/java/js.jar",
  );
  assert.equal(
    visibleHostPath("/opt/jdk-21/lib/x.jar", dirs, roots),
    "/opt/jdk-21/lib/x.jar",
  );
  assert.equal(visibleHostPath("/tmp/app.jar", dirs, roots), undefined);
  assert.equal(visibleHostPath("/usrx/app.jar", dirs, roots), undefined);
  assert.equal(visibleHostPath("/opt/jdk-2/x.jar", dirs, roots), undefined);
});

Deno.test("isWritableInside() allows the alloc dirs and /tmp only", () => {
  assert.equal(isWritableInside("/local/work"), true);
  assert.equal(isWritableInside("/alloc"), true);
  assert.equal(isWritableInside("/tmp/x"), true);
  assert.equal(isWritableInside("/usr/nonexistent"), false);
  assert.equal(isWritableInside("/"), false);
  assert.equal(isWritableInside("/local/../usr"), false);
});

Deno.test("hostnameFor() keeps 63 bytes of letters, digits and dashes", () => {
  assert.equal(hostnameFor("web api", "id"), "web-api");
  assert.equal(hostnameFor("日".repeat(30), "milo-x"), "milo-x");
  assert.equal(hostnameFor("a".repeat(100), "id").length, 63);
  assert.match(hostnameFor("my täsk 🚀", "id"), /^[A-Za-z0-9-]+$/);
});
