import assert from "node:assert/strict";
import { heapSizing } from "../../../src/driver/heap_sizing.ts";
import type { JavaRuntime } from "../../../src/java/mod.ts";

function runtime(v1: boolean, v2: boolean): JavaRuntime {
  return {
    home: "/opt/jdk-8",
    java: "/opt/jdk-8/bin/java",
    aliases: [],
    version: {
      feature: 8,
      interim: 0,
      update: 181,
      patch: 0,
      text: "1.8.0_181",
    },
    vendor: "Old",
    kind: "jdk",
    arch: "x86_64",
    containerAware: { v1, v2 },
    source: "release",
  };
}

const MIB = 1024 * 1024;

Deno.test("heapSizing() adds nothing for a container-aware runtime", () => {
  assert.deepEqual(heapSizing(runtime(true, true), [], 256 * MIB, 2), {
    jvmOptions: [],
  });
});

Deno.test("heapSizing() passes the limit to a runtime blind to the cgroup", () => {
  const sizing = heapSizing(runtime(true, false), [], 256 * MIB, 2);
  assert.deepEqual(sizing.jvmOptions, [`-XX:MaxRAM=${256 * MIB}`]);
  assert.match(sizing.warning ?? "", /cannot read cgroup v2 memory limits/);
});

Deno.test("heapSizing() leaves the heap to jvm_options that size it", () => {
  for (
    const option of ["-Xmx128m", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=1g"]
  ) {
    const sizing = heapSizing(runtime(false, false), [option], 256 * MIB, 1);
    assert.deepEqual(sizing.jvmOptions, []);
    assert.match(sizing.warning ?? "", /jvm_options size its heap/);
  }
});

Deno.test("heapSizing() adds nothing without a memory limit", () => {
  assert.deepEqual(heapSizing(runtime(false, false), [], undefined, 1), {
    jvmOptions: [],
  });
});
