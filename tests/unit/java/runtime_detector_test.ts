import assert from "node:assert/strict";
import { join } from "node:path";
import { RuntimeDetector } from "../../../src/java/runtime_detector.ts";
import type { Inventory } from "../../../src/java/java_runtime.ts";
import {
  FakeTimers,
  FakeWatch,
  makeRuntime,
  releaseText,
  until,
} from "./_helpers.ts";

async function fixture(options: { checkOnUse?: boolean } = {}) {
  const root = await Deno.makeTempDir({ prefix: "milo_detector_" });
  await makeRuntime(join(root, "jdk-17"), { printed: "17.0.15+6" });
  const timers = new FakeTimers();
  const watch = new FakeWatch();
  const seen: Inventory[] = [];
  const detector = new RuntimeDetector({
    searchPaths: [root],
    defaultRoots: false,
    clock: timers.clock,
    timers,
    watchFs: watch.watchFs,
    refreshIntervalMs: 60_000,
    debounceMs: 200,
    // Fake time would run the stat poll; its own test is in tests/unit/fs.
    pollMs: 0,
    ...options,
  });
  detector.subscribe((inventory) => seen.push(inventory));
  return {
    root,
    timers,
    watch,
    seen,
    detector,
    async [Symbol.asyncDispose]() {
      await detector.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("RuntimeDetector shares one detection among 100 lookups", async () => {
  await using f = await fixture();
  const picks = await Promise.all(
    Array.from({ length: 100 }, () => f.detector.select()),
  );
  assert.equal(f.detector.detections, 1);
  assert.ok(picks.every((r) => r.version.feature === 17));
  await f.detector.select();
  assert.equal(f.detector.detections, 1);
});

Deno.test("RuntimeDetector re-detects once events pause for the debounce", async () => {
  await using f = await fixture();
  await f.detector.inventory();
  assert.deepEqual(f.watch.opened, [[f.root, join(f.root, "jdk-17")]]);
  await makeRuntime(join(f.root, "jdk-21"), { printed: "21.0.2+13" });

  f.watch.emit();
  await until(() => f.timers.pending === 2); // periodic + debounce
  f.timers.advance(150);
  f.watch.emit();
  await until(() => f.timers.pending === 2);
  f.timers.advance(150);
  assert.equal(f.detector.detections, 1, "the second event restarted it");

  f.timers.advance(50);
  await until(() => f.seen.length === 2);
  assert.equal(f.detector.detections, 2);
  assert.equal(f.seen[1].runtimes[0].version.feature, 21);
  assert.equal(f.watch.opened.length, 2, "the new home is watched");
});

Deno.test("RuntimeDetector refreshes periodically and notifies on change", async () => {
  await using f = await fixture();
  await f.detector.inventory();
  f.timers.advance(60_000);
  await until(() => f.detector.detections === 2);
  // Joins the refresh under way (the cache has expired), so the removal
  // below cannot land in the middle of it.
  await f.detector.inventory();
  assert.equal(f.seen.length, 1, "nothing changed, nobody notified");

  await Deno.remove(join(f.root, "jdk-17"), { recursive: true });
  f.timers.advance(60_000);
  await until(() => f.seen.length === 2);
  assert.deepEqual(f.seen[1].runtimes, []);
});

Deno.test("RuntimeDetector treats an expired cache as missing", async () => {
  await using f = await fixture();
  await f.detector.inventory();
  // The clock moves but the periodic timer has not fired (a busy loop).
  f.timers.now += 60_000;
  await f.detector.inventory();
  assert.equal(f.detector.detections, 2);
});

Deno.test("RuntimeDetector re-detects a stale entry before failing", async () => {
  await using f = await fixture();
  assert.equal(
    (await f.detector.select({ javaVersion: "17" })).version.text,
    "17.0.15+6",
  );

  // Replaced in place by an update, with no watch event delivered.
  const home = join(f.root, "jdk-17");
  await Deno.writeTextFile(join(home, "release"), releaseText("17.0.16+8"));
  await Deno.utime(join(home, "release"), 1, 1);
  const runtime = await f.detector.select({ javaVersion: "17" });
  assert.equal(runtime.version.text, "17.0.16+8");
  assert.equal(f.detector.detections, 2);

  await Deno.remove(home, { recursive: true });
  await assert.rejects(f.detector.select({ javaVersion: "17" }), {
    name: "NoMatchingRuntimeError",
  });
  assert.equal(f.detector.detections, 3);
});

Deno.test("RuntimeDetector close() stops timers and watches", async () => {
  await using f = await fixture();
  await f.detector.inventory();
  f.watch.emit();
  await until(() => f.timers.pending === 2);
  await f.detector.close();
  assert.equal(f.timers.pending, 0);
  await assert.rejects(f.detector.inventory(), /detector is closed/);
});
