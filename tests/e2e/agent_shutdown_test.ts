/**
 * An agent's graceful shutdown while a task runs (PROTOCOL.md §0 step 4):
 * Driver.Shutdown, then Kill. The plugin must exit 0 within Kill's 2 s,
 * keep stderr hclog JSON, and leave the task running under its monitor
 * for the next plugin process to recover.
 */

import assert from "node:assert/strict";
import { status as Code } from "@grpc/grpc-js";
import { DriverService } from "../../src/gen/nomad/driver.ts";
import { invoke } from "../../src/nomad/plugin_client.ts";
import {
  buildJars,
  E2ESession,
  exitStatus,
  grpcError,
  HOST_PROBLEM,
  hostTestName,
  listContainers,
  withDeadline,
} from "./harness.ts";
import { assertHclogLine } from "./_protocol_checks.ts";

Deno.test({
  name: hostTestName(
    "an agent shutdown with a task running ends the plugin cleanly and " +
      "leaves the task running (PROTOCOL.md §0 step 4)",
  ),
  ignore: HOST_PROBLEM !== null,
  async fn(t) {
    const jars = await buildJars();
    const session = await E2ESession.start();
    const { plugin } = session.nomad;
    try {
      const job = await session.startJob(
        { name: "sleeper", config: { jar_path: "local/sleeper.jar" } },
        { "local/sleeper.jar": jars.sleeper },
      );
      await job.stdout.waitForText("sleeping\n", 30_000);
      // The task runner's WaitTask is pending when the agent stops.
      const waiting = grpcError(session.nomad.waitTask(job.taskId));

      await t.step("Driver.Shutdown answers", async () => {
        const response = await withDeadline(
          invoke(plugin.driver, DriverService.shutdown, {}),
          2000,
          "Driver.Shutdown",
        );
        assert.deepEqual(response, {});
      });

      await t.step("Kill ends the process with 0 within 2 s", async () => {
        // A plugin that dies meanwhile would leave Kill's call hanging.
        const early = await exitStatus(plugin, 300);
        assert.equal(early, undefined, "the plugin exited before Kill");
        const kill = await session.nomad.close();

        assert.equal(kill.forced, false);
        assert.ok(kill.ms < 2000, `took ${kill.ms} ms`);
        assert.equal(kill.status.code, 0);
        assert.equal(await plugin.extraStdout, "");
        await assert.rejects(
          Deno.stat(plugin.address.address),
          Deno.errors.NotFound,
          "socket file left behind",
        );
      });

      await t.step(
        "the pending WaitTask fails as a plugin shutdown",
        async () => {
          const error = await waiting;
          assert.ok(
            [Code.CANCELLED, Code.UNAVAILABLE].includes(error.code),
            `${error.code} ${error.details}`,
          );
        },
      );

      await t.step("the task keeps running under its monitor", async () => {
        const containers = await listContainers(`${session.stateDir}/crun`);
        assert.ok(containers.includes(job.containerId), containers.join());
      });

      await t.step("every stderr line is hclog JSON", () => {
        for (const line of session.stderrLines) assertHclogLine(line);
      });
    } finally {
      // Removes the task the plugin was right to leave behind.
      await session.close();
    }
  },
});
