/**
 * A task's life through the real plugin, crun and conmon: StartTask, the
 * log FIFOs, WaitTask, StopTask and DestroyTask, with the fixture jars.
 * Each step destroys its own task and checks that nothing is left behind.
 */

import assert from "node:assert/strict";
import { status as Code } from "@grpc/grpc-js";
import {
  conmonPids,
  grpcError,
  listContainers,
  sessionTest,
  text,
  withDeadline,
} from "./harness.ts";

const UNKNOWN_TASK = "00000000-0000-0000-0000-000000000000/ghost/abcdefgh";

sessionTest("tasks run, exit, stop and leave nothing behind", async (c) => {
  const { t, session, jars, crunRoot } = c;
  const sleeper = {
    job: { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
    files: { "local/sleeper.jar": jars.sleeper },
  };

  await t.step(
    "hello jar: stdout and stderr reach their FIFOs, exit 0",
    async () => {
      const result = await session.runJob(
        { name: "hello", config: { jar_path: "local/hello.jar" } },
        { "local/hello.jar": jars.hello },
      );

      assert.deepEqual(result.exit, {
        exitCode: 0,
        signal: 0,
        oomKilled: false,
        err: "",
      });
      assert.match(text(result.stdout), /^Hello from Milo\n/);
      assert.equal(text(result.stderr), "hello on stderr\n");
      assert.deepEqual(result.leftovers, []);
    },
  );

  await t.step('exitcode jar with args ["3"] reports exit code 3', async () => {
    const result = await session.runJob(
      {
        name: "exitcode",
        config: { jar_path: "local/exitcode.jar", args: ["3"] },
      },
      { "local/exitcode.jar": jars.exitcode },
    );

    assert.equal(result.exit.exitCode, 3);
    assert.equal(result.exit.signal, 0);
    assert.equal(result.exit.err, "");
    assert.equal(text(result.stdout), "exiting with 3\n");
    assert.deepEqual(result.leftovers, []);
  });

  await t.step(
    "a second WaitTask after the exit answers at once, the same",
    async () => {
      const job = await session.startJob(
        {
          name: "exitcode",
          config: { jar_path: "local/exitcode.jar", args: ["5"] },
        },
        { "local/exitcode.jar": jars.exitcode },
      );
      const first = await session.waitTask(job.taskId);
      const second = await session.waitTask(job.taskId, 1000);
      await Promise.all([job.stdout.done, job.stderr.done]);
      await session.destroyTask(job.taskId);

      assert.equal(first.exitCode, 5);
      assert.deepEqual(second, first);
      assert.deepEqual(await session.leftovers([job.containerId]), []);
    },
  );

  await t.step(
    "StopTask ends a running sleeper; DestroyTask then leaves nothing",
    async () => {
      const job = await session.startJob(sleeper.job, sleeper.files);
      await job.stdout.waitForText("sleeping\n", 30_000);
      // The leftover checks must see a live task, or they prove nothing.
      assert.ok((await listContainers(crunRoot)).includes(job.containerId));
      assert.notDeepEqual(await conmonPids(job.containerId), []);

      const timeoutMs = 10_000;
      const exit = session.waitTask(job.taskId, timeoutMs);
      await session.nomad.stopTask(job.taskId, timeoutMs);
      const result = await exit;
      await withDeadline(
        Promise.all([job.stdout.done, job.stderr.done]),
        timeoutMs,
        "the end of the log FIFOs",
      );
      await session.destroyTask(job.taskId);

      // SIGINT, Nomad's default: the JVM runs its shutdown hooks.
      assert.equal(result.exitCode, 130);
      assert.match(job.stderr.text(), /shutdown hook ran/);
      assert.deepEqual(await session.leftovers([job.containerId]), []);
    },
  );

  await t.step(
    "StopTask kills a task that ignores the signal after the timeout",
    async () => {
      // -Xrs: the JVM installs no SIGINT handler, and the kernel drops
      // unhandled signals to a pid namespace's init.
      const job = await session.startJob(
        {
          name: "sleeper",
          config: { jar_path: "local/sleeper.jar", jvm_options: ["-Xrs"] },
        },
        sleeper.files,
      );
      await job.stdout.waitForText("sleeping\n", 30_000);

      const exit = session.waitTask(job.taskId, 10_000);
      await session.nomad.stopTask(job.taskId, 500);
      const result = await exit;
      await Promise.all([job.stdout.done, job.stderr.done]);
      await session.destroyTask(job.taskId);

      assert.equal(result.exitCode, 137);
      assert.equal(result.signal, 9);
      assert.doesNotMatch(job.stderr.text(), /shutdown hook ran/);
      assert.deepEqual(await session.leftovers([job.containerId]), []);
    },
  );

  await t.step(
    "StopTask and DestroyTask of an unknown task succeed",
    async () => {
      await session.nomad.stopTask(UNKNOWN_TASK, 1000);
      await session.nomad.destroyTask(UNKNOWN_TASK, true);
      await session.nomad.destroyTask(UNKNOWN_TASK, false);
    },
  );

  await t.step(
    "DestroyTask without force on a running task is FAILED_PRECONDITION",
    async () => {
      const job = await session.startJob(sleeper.job, sleeper.files);

      const error = await grpcError(session.destroyTask(job.taskId, false));
      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.match(error.details, /still running/);
      assert.ok((await listContainers(crunRoot)).includes(job.containerId));

      await session.destroyTask(job.taskId, true);
      await withDeadline(
        Promise.all([job.stdout.done, job.stderr.done]),
        10_000,
        "the end of the log FIFOs",
      );
      assert.deepEqual(await session.leftovers([job.containerId]), []);
    },
  );

  await t.step(
    "StartTask's handle: version >= 1, config id, JSON driver state",
    async () => {
      const result = await session.runJob(
        { name: "hello", config: { jar_path: "local/hello.jar" } },
        { "local/hello.jar": jars.hello },
      );

      const handle = result.response.handle;
      assert.ok(handle && handle.version >= 1, `version ${handle?.version}`);
      assert.equal(handle.config?.id, result.taskId);
      const state = JSON.parse(text(handle.driverState));
      assert.equal(typeof state.containerId, "string");
      assert.equal(state.containerId, result.containerId);
      assert.equal(
        state.bundleDir,
        `${session.stateDir}/bundles/${state.containerId}`,
      );
    },
  );
});
