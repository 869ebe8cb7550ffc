import assert from "node:assert/strict";
import { join } from "node:path";
import { RuntimeDetector } from "../../src/java/runtime_detector.ts";
import type { Inventory } from "../../src/java/java_runtime.ts";
import { makeRuntime } from "../unit/java/_helpers.ts";

/** Resolves when `ok` holds for a notified inventory, or rejects at 2 s. */
function notified(detector: RuntimeDetector, ok: (i: Inventory) => boolean) {
  const { promise, resolve, reject } = Promise.withResolvers<Inventory>();
  const deadline = setTimeout(
    () => reject(new Error("Cannot see the change: no notification in 2 s")),
    2000,
  );
  const stop = detector.subscribe((inventory) => {
    if (ok(inventory)) resolve(inventory);
  });
  return promise.finally(() => {
    clearTimeout(deadline);
    stop();
  });
}

async function tempRoot() {
  const root = await Deno.makeTempDir({ prefix: "milo_java_it_" });
  return {
    root,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

Deno.test("RuntimeDetector sees runtimes appear and vanish under a watched root", async () => {
  await using t = await tempRoot();
  await using detector = asDisposable(
    new RuntimeDetector({ searchPaths: [t.root], defaultRoots: false }),
  );
  assert.deepEqual((await detector.inventory()).runtimes, []);

  const home = join(t.root, "jdk-21");
  const appeared = notified(detector, (i) => i.runtimes.length === 1);
  await makeRuntime(home, { printed: "21.0.2+13" });
  assert.equal((await appeared).runtimes[0].home, home);

  const vanished = notified(detector, (i) => i.runtimes.length === 0);
  await Deno.remove(home, { recursive: true });
  await vanished;
});

Deno.test("RuntimeDetector follows a retargeted JAVA_HOME symlink on the next lookup", async () => {
  await using t = await tempRoot();
  await makeRuntime(join(t.root, "a"), { printed: "17.0.15+6" });
  await makeRuntime(join(t.root, "b"), { printed: "21.0.2+13" });
  const link = join(t.root, "current");
  await Deno.symlink(join(t.root, "a"), link);
  await using detector = asDisposable(
    new RuntimeDetector({ javaHome: link, defaultRoots: false, watch: false }),
  );
  assert.equal((await detector.select()).version.feature, 17);

  await Deno.remove(link);
  await Deno.symlink(join(t.root, "b"), link);
  assert.equal((await detector.select()).home, join(t.root, "b"));
  assert.equal((await detector.select({ javaHome: link })).version.feature, 21);
  assert.deepEqual((await detector.inventory()).runtimes[0].aliases, [link]);
});

Deno.test("RuntimeDetector probes java when the release file is corrupt", async () => {
  await using t = await tempRoot();
  const home = join(t.root, "jdk");
  await makeRuntime(home, { printed: "11.0.22+7", release: 'JAVA_VERSION="x' });
  await using detector = asDisposable(
    new RuntimeDetector({ homes: [home], defaultRoots: false, watch: false }),
  );
  const runtime = await detector.select({ javaVersion: "11" });
  assert.equal(runtime.source, "probe");
  assert.equal(runtime.version.text, "11.0.22+7");
  assert.equal(runtime.vendor, "unknown");
});

Deno.test("RuntimeDetector lists broken runtimes and keeps the others", async () => {
  await using t = await tempRoot();
  await makeRuntime(join(t.root, "good"), { printed: "17.0.15+6" });
  await makeRuntime(join(t.root, "nojava"), { java: false });
  // `exec` so that killing the probe kills the sleeper too.
  await makeRuntime(join(t.root, "hangs"), {
    release: null,
    script: "exec sleep 30",
  });
  await using detector = asDisposable(
    new RuntimeDetector({
      searchPaths: [t.root],
      defaultRoots: false,
      watch: false,
      probeTimeoutMs: 300,
    }),
  );
  const inventory = await detector.inventory();
  assert.deepEqual(inventory.runtimes.map((r) => r.home), [
    join(t.root, "good"),
  ]);
  const reasons = Object.fromEntries(
    inventory.broken.map((b) => [b.home.slice(t.root.length + 1), b.reason]),
  );
  assert.equal(reasons.nojava, "no bin/java");
  assert.match(
    reasons.hangs,
    /probe of ".*hangs\/bin\/java" failed: timed out after 300 ms/,
  );
});

const HOST_JDKS = [
  "/usr/lib/jvm/java-17-openjdk-amd64",
  "/usr/lib/jvm/temurin-25-jdk-amd64",
];
const hasHostJdks = HOST_JDKS.every((home) => {
  try {
    return Deno.statSync(join(home, "release")).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "RuntimeDetector finds the host's Debian 17 and Temurin 25 JDKs",
  ignore: !hasHostJdks, // needs both JDKs at /usr/lib/jvm
  async fn() {
    await using detector = asDisposable(
      new RuntimeDetector({
        javaHome: Deno.env.get("JAVA_HOME"),
        path: Deno.env.get("PATH"),
        watch: false,
      }),
    );
    const { runtimes } = await detector.inventory();
    const [debian, temurin] = HOST_JDKS.map((home) =>
      runtimes.find((r) => r.home === home)!
    );
    assert.equal(debian.version.feature, 17);
    assert.equal(debian.vendor, "Debian");
    assert.equal(debian.kind, "jdk");
    assert.ok(
      debian.aliases.includes("/usr/lib/jvm/java-1.17.0-openjdk-amd64"),
    );
    assert.equal(temurin.version.feature, 25);
    assert.equal(temurin.vendor, "Eclipse Adoptium");
    assert.equal(temurin.kind, "jdk");

    const picks = await Promise.all(
      Array.from({ length: 100 }, () => detector.select()),
    );
    assert.equal(detector.detections, 1);
    assert.ok(picks.every((r) => r.home === temurin.home));
  },
});

function asDisposable(detector: RuntimeDetector) {
  return Object.assign(detector, {
    [Symbol.asyncDispose]: () => detector.close(),
  });
}
