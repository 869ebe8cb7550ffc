/**
 * What the host gives a task: the memory limit from the task's resources,
 * and the cgroup hybrid-mode workaround (on by default, refused with the
 * cause and the fix when turned off).
 */

import assert from "node:assert/strict";
import { status as Code } from "@grpc/grpc-js";
import { probeCgroupLayout } from "../../src/crun/cgroup_layout.ts";
import {
  buildJars,
  E2ESession,
  grpcError,
  HOST_PROBLEM,
  hostTestName,
  sessionTest,
  text,
} from "./harness.ts";

const HEALTHY = 2;
const UNHEALTHY = 1;

sessionTest("the task's memory limit bounds the JVM heap", async (c) => {
  const { t, session, jars } = c;

  await t.step("memory = 64 gives a heap well under 64 MiB", async () => {
    const result = await session.runJob(
      { name: "small", config: { jar_path: "local/hello.jar" }, memoryMb: 64 },
      { "local/hello.jar": jars.hello },
    );
    assert.equal(result.exit.exitCode, 0);
    const heap = /heap:\s+(\d+) MiB max/.exec(text(result.stdout));
    assert.ok(heap, `no heap line in ${text(result.stdout)}`);
    assert.ok(Number(heap[1]) < 64, `heap ${heap[1]} MiB with a 64 MiB limit`);
  });
});

const layout = await probeCgroupLayout().catch(() => undefined);
const hybrid = Boolean(layout?.unmountForCrun);
const skip = HOST_PROBLEM ?? (hybrid ? null : "the host is not in hybrid mode");

Deno.test({
  name: skip
    ? `the cgroup hybrid-mode workaround (skipped: ${skip})`
    : hostTestName("the cgroup hybrid-mode workaround"),
  ignore: skip !== null,
  async fn(t) {
    const jars = await buildJars();

    await t.step("on by default: healthy, flagged, warned", async () => {
      const session = await E2ESession.start();
      try {
        const fingerprint = await session.nomad.firstFingerprint();
        assert.equal(fingerprint.health, HEALTHY);
        const flag = fingerprint.attributes[
          "driver.milo.cgroup_hybrid_workaround"
        ];
        assert.deepEqual(flag?.value, { $case: "boolVal", value: true });
        assert.ok(
          session.stderrLines.some((line) =>
            /"@level":"warn".*cgroup hybrid mode/.test(line)
          ),
          "a warning in the log",
        );
      } finally {
        await session.close();
      }
    });

    await t.step(
      "off: unhealthy, and StartTask names cause and fix",
      async () => {
        const session = await E2ESession.start({
          pluginConfig: { cgroup_hybrid_workaround: false },
        });
        try {
          const fingerprint = await session.nomad.firstFingerprint();
          assert.equal(fingerprint.health, UNHEALTHY);
          assert.match(fingerprint.healthDescription, /hybrid mode/);
          assert.match(
            fingerprint.healthDescription,
            /cgroup_hybrid_workaround/,
          );

          const error = await grpcError(session.startJob(
            { name: "refused", config: { jar_path: "local/hello.jar" } },
            { "local/hello.jar": jars.hello },
          ));
          assert.equal(error.code, Code.FAILED_PRECONDITION);
          assert.match(error.details, /hybrid mode/);
          assert.match(error.details, /systemd\.unified_cgroup_hierarchy=1/);
          assert.match(error.details, /cgroup_hybrid_workaround = true/);
          assert.deepEqual(await session.bundles(), []);
        } finally {
          await session.close();
        }
      },
    );
  },
});
