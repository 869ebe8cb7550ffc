import assert from "node:assert/strict";
import { join } from "node:path";
import { RuntimeDetector } from "../../../src/java/runtime_detector.ts";
import { describeRuntime } from "../../../src/java/java_runtime.ts";
import { NoMatchingRuntimeError } from "../../../src/java/select_runtime.ts";
import { makeRuntime, releaseText } from "./_helpers.ts";

async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "milo_select_" });
  await makeRuntime(join(root, "jdk-17"), { printed: "17.0.15+6" });
  await makeRuntime(join(root, "jdk-21"), { printed: "21.0.2+13" });
  await makeRuntime(join(root, "jre-21"), {
    printed: "21.0.2+13",
    javac: false,
    release: releaseText("21.0.2+13", "Azul Systems, Inc."),
  });
  await makeRuntime(join(root, "jdk-11"), { printed: "11.0.22+7" });
  const detector = new RuntimeDetector({
    searchPaths: [root],
    defaultRoots: false,
    watch: false,
  });
  return {
    root,
    detector,
    async [Symbol.asyncDispose]() {
      await detector.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("select() picks the newest runtime, JDK before JRE on a tie", async () => {
  await using f = await fixture();
  const runtime = await f.detector.select();
  assert.equal(runtime.home, join(f.root, "jdk-21"));
  assert.equal(runtime.kind, "jdk");
});

Deno.test("select() applies each constraint form", async (t) => {
  await using f = await fixture();
  const table: [string, string][] = [
    ["17", "jdk-17"],
    ["11-17", "jdk-17"],
    ["12+", "jdk-21"],
    ["11.0.22", "jdk-11"],
  ];
  for (const [javaVersion, home] of table) {
    await t.step(javaVersion, async () => {
      const runtime = await f.detector.select({ javaVersion });
      assert.equal(runtime.home, join(f.root, home));
    });
  }
});

Deno.test("select() uses defaultVersion only when the task sets none", async () => {
  await using f = await fixture();
  const byDefault = await f.detector.select({ defaultVersion: "11" });
  assert.equal(byDefault.version.feature, 11);
  const own = await f.detector.select({
    javaVersion: "17",
    defaultVersion: "11",
  });
  assert.equal(own.version.feature, 17);
});

Deno.test("select() takes an explicit home and checks it", async () => {
  await using f = await fixture();
  const jre = await f.detector.select({ javaHome: join(f.root, "jre-21") });
  assert.equal(jre.kind, "jre");
  assert.equal(jre.vendor, "Azul Systems, Inc.");

  await assert.rejects(
    f.detector.select({ javaHome: join(f.root, "jdk-11"), javaVersion: "17" }),
    /java_home ".*jdk-11": it holds 11.0.22 .* outside java_version "17"/,
  );
  await assert.rejects(
    f.detector.select({ javaHome: join(f.root, "nope") }),
    /Cannot find a Java runtime for java_home ".*nope": ".*nope" does not exist/,
  );
});

Deno.test("select() lists what is installed when nothing matches", async () => {
  await using f = await fixture();
  const error = await f.detector.select({ javaVersion: "25" }).catch((e) => e);
  assert.ok(error instanceof NoMatchingRuntimeError);
  assert.equal(error.name, "NoMatchingRuntimeError");
  assert.equal(error.constraint, 'java_version "25"');
  const inventory = await f.detector.inventory();
  assert.deepEqual(error.installed, inventory.runtimes.map(describeRuntime));
  assert.equal(
    error.message,
    `Cannot find a Java runtime for java_version "25": installed are ` +
      `21.0.2 (Eclipse Adoptium) at ${f.root}/jdk-21, ` +
      `21.0.2 (Azul Systems, Inc., JRE) at ${f.root}/jre-21, ` +
      `17.0.15 (Eclipse Adoptium) at ${f.root}/jdk-17, ` +
      `11.0.22 (Eclipse Adoptium) at ${f.root}/jdk-11; ` +
      "install one or change java_version",
  );
});

Deno.test("select() rejects a bad constraint before any detection", async () => {
  await using f = await fixture();
  await assert.rejects(
    f.detector.select({ javaVersion: "seventeen" }),
    TypeError,
  );
  assert.equal(f.detector.detections, 0);
});
