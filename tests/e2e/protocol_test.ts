/**
 * The plugin process against the protocol Nomad's client speaks
 * (PROTOCOL.md §0, §1, §8, §10): the handshake, go-plugin's services,
 * BasePlugin, the Driver's schema and streams, error statuses, Kill, and
 * hclog JSON on stderr.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { status as Code } from "@grpc/grpc-js";
import denoJson from "../../deno.json" with { type: "json" };
import { selfCommand } from "../../main.ts";
import { Status } from "../../src/gen/google/rpc/status.ts";
import {
  HealthCheckResponse_ServingStatus as Serving,
  HealthService,
} from "../../src/gen/grpc/health.ts";
import { BasePluginService, PluginType } from "../../src/gen/nomad/base.ts";
import {
  DriverCapabilities_FSIsolation as FSIsolation,
  DriverService,
  FingerprintResponse_HealthState as Health,
} from "../../src/gen/nomad/driver.ts";
import type { Spec } from "../../src/gen/nomad/hcl_spec.ts";
import { RecoverableError } from "../../src/gen/nomad/structs.ts";
import { applyDefaults } from "../../src/nomad/config_defaults.ts";
import { encodeCtyObject } from "../../src/nomad/cty_encode.ts";
import { invoke } from "../../src/nomad/plugin_client.ts";
import {
  buildJars,
  E2ESession,
  fingerprintLaunch,
  grpcError,
  HOST_PROBLEM,
  hostTestName,
  text,
  validationLaunch,
  withDeadline,
} from "./harness.ts";
import { assertHclogLine, follow, waitUntil } from "./_protocol_checks.ts";

const RECOVERABLE_TYPE_URL =
  "type.googleapis.com/hashicorp.nomad.plugins.shared.structs.RecoverableError";

Deno.test("main.ts without Nomad's magic cookie explains itself on stderr and exits 1", async (t) => {
  const [program, ...args] = selfCommand();
  const inherited = Deno.env.toObject();
  delete inherited.NOMAD_PLUGIN_MAGIC_COOKIE;
  const rows: [string, Record<string, string>][] = [
    ["cookie absent", {}],
    ["cookie wrong", {
      NOMAD_PLUGIN_MAGIC_COOKIE: "not-the-cookie",
      PLUGIN_PROTOCOL_VERSIONS: "2",
    }],
  ];
  for (const [label, env] of rows) {
    await t.step(label, async () => {
      const output = await new Deno.Command(program, {
        args,
        clearEnv: true,
        env: { ...inherited, ...env },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();

      assert.equal(output.code, 1);
      assert.equal(output.stdout.length, 0, text(output.stdout));
      const stderr = text(output.stderr);
      assert.match(stderr, /Nomad task driver plugin/);
      assert.match(stderr, /not meant to be\s+run directly/);
      assert.throws(() => JSON.parse(stderr.split("\n")[0]));
    });
  }
});

Deno.test("a plugin in Nomad's runtime launch answers every protocol call", async (t) => {
  const session = await E2ESession.start();
  const { plugin } = session.nomad;
  const { base, driver } = plugin;
  try {
    await t.step("stdout carries exactly 1|2|unix|<socket>|grpc|", async () => {
      const match = /^1\|2\|unix\|(\/[^|]+)\|grpc\|$/.exec(plugin.handshake);
      assert.ok(match, `handshake line ${JSON.stringify(plugin.handshake)}`);
      assert.ok((await Deno.stat(match[1])).isSocket);
    });

    await t.step('health Check("plugin") is SERVING', async () => {
      const check = (service: string) =>
        invoke(plugin.health, HealthService.check, { service });
      assert.equal((await check("plugin")).status, Serving.SERVING);
      assert.equal((await check("")).status, Serving.SERVING);
      // Unknown names fail, as grpc-go's health server answers.
      const error = await grpcError(check("milo"));
      assert.equal(error.code, Code.NOT_FOUND);
    });

    await t.step(
      "PluginInfo names a driver called milo at deno.json's version",
      async () => {
        const info = await invoke(base, BasePluginService.pluginInfo, {});

        assert.deepEqual(info, {
          type: PluginType.DRIVER,
          pluginApiVersions: ["0.1.0"],
          pluginVersion: denoJson.version,
          name: "milo",
        });
        assert.equal(info.type, 2);
      },
    );

    let configSpec: Spec | undefined;
    await t.step("ConfigSchema returns an object spec", async () => {
      const schema = await invoke(base, BasePluginService.configSchema, {});
      configSpec = schema.spec;

      assert.equal(configSpec?.block?.$case, "object");
      const keys = configSpec.block.$case === "object"
        ? Object.keys(configSpec.block.value.attributes)
        : [];
      assert.ok(keys.includes("state_dir"), keys.join(","));
    });

    await t.step(
      "SetConfig works twice without nomad_config and once with it",
      async () => {
        const values = applyDefaults(configSpec, {
          state_dir: session.stateDir,
        });
        const msgpackConfig = Buffer.from(
          encodeCtyObject(values, Object.keys(values)),
        );
        const nomadConfig = {
          driver: { ClientMinPort: 20000, ClientMaxPort: 32000 },
        };
        for (const config of [undefined, undefined, nomadConfig]) {
          const response = await invoke(
            base,
            BasePluginService.setConfig,
            {
              msgpackConfig,
              pluginApiVersion: "0.1.0",
              nomadConfig: config,
            },
          );
          assert.deepEqual(response, {});
        }
      },
    );

    await t.step("Init answers", async () => {
      assert.deepEqual(await invoke(driver, DriverService.init, {}), {});
    });

    await t.step(
      "TaskConfigSchema has the java driver's keys and Milo's",
      async () => {
        const { spec } = await invoke(
          driver,
          DriverService.taskConfigSchema,
          {},
        );

        assert.equal(spec?.block?.$case, "object");
        const keys = spec.block.$case === "object"
          ? Object.keys(spec.block.value.attributes).sort()
          : [];
        assert.deepEqual(keys, [
          "args",
          "class",
          "class_path",
          "jar_path",
          "java_home",
          "java_version",
          "jvm_options",
          "work_dir",
        ]);
      },
    );

    await t.step(
      "Capabilities: image isolation, no signals, no exec",
      async () => {
        const { capabilities } = await invoke(
          driver,
          DriverService.capabilities,
          {},
        );

        assert.equal(capabilities?.fsIsolation, FSIsolation.IMAGE);
        assert.equal(capabilities?.fsIsolation, 2);
        assert.equal(capabilities?.sendSignals, false);
        assert.equal(capabilities?.exec, false);
      },
    );

    await t.step(
      "Fingerprint and TaskEvents send at once and stay open",
      async () => {
        const fingerprints = follow(driver.fingerprint({}));
        const events = follow(driver.taskEvents({}));
        try {
          const first = await withDeadline(
            fingerprints.first,
            5000,
            "the first fingerprint",
          );
          await new Promise((resolve) => setTimeout(resolve, 1000));

          assert.equal(fingerprints.ended, undefined);
          assert.equal(events.ended, undefined);
          assert.equal(
            first.attributes["driver.milo.version"]?.value?.$case,
            "stringVal",
          );
          assert.equal(
            first.attributes["driver.milo.version"]?.value?.value,
            denoJson.version,
          );
          if (!HOST_PROBLEM) {
            assert.equal(first.health, Health.HEALTHY, first.healthDescription);
          }
        } finally {
          fingerprints.cancel();
          events.cancel();
        }
      },
    );

    await t.step(
      "unimplemented RPCs answer UNIMPLEMENTED naming the RPC",
      async (t) => {
        const calls: [string, () => Promise<unknown>][] = [
          ["SignalTask", () =>
            invoke(driver, DriverService.signalTask, {
              taskId: "x",
              signal: "SIGHUP",
            })],
          [
            "RecoverTask",
            () =>
              invoke(driver, DriverService.recoverTask, {
                taskId: "",
                handle: undefined,
              }),
          ],
          ["ExecTask", () =>
            invoke(driver, DriverService.execTask, {
              taskId: "x",
              command: ["true"],
              timeout: undefined,
            })],
          ["TaskStats", () =>
            follow(driver.taskStats({
              taskId: "x",
              collectionInterval: { seconds: 1, nanos: 0 },
            })).failed],
        ];
        for (const [rpc, call] of calls) {
          await t.step(rpc, async () => {
            const error = await grpcError(call());

            assert.equal(error.code, Code.UNIMPLEMENTED);
            assert.match(error.details, new RegExp(`^${rpc} `));
          });
        }
      },
    );

    await t.step({
      name: hostTestName("a task started and finished in the session"),
      ignore: HOST_PROBLEM !== null,
      fn: async () => {
        const jars = await buildJars();
        const events = follow(driver.taskEvents({}));
        try {
          const result = await session.runJob(
            { name: "hello", config: { jar_path: "local/hello.jar" } },
            { "local/hello.jar": jars.hello },
          );
          assert.equal(result.exit.exitCode, 0);

          // The exit event is published right after WaitTask's answer.
          await waitUntil(
            () => events.messages.length >= 2,
            5000,
            "two task events",
          );
          const [started, exited] = events.messages;
          for (const event of [started, exited]) {
            assert.equal(event.taskId, result.taskId);
            assert.equal(event.allocId, result.alloc.allocId);
            assert.equal(event.taskName, "hello");
          }
          assert.match(started.message, /^using Java .* in container milo-/);
          assert.equal(exited.message, "Task exited with code 0");
        } finally {
          events.cancel();
        }
      },
    });

    await t.step({
      name: hostTestName(
        "a missing jar fails StartTask with a RecoverableError detail",
      ),
      ignore: HOST_PROBLEM !== null,
      fn: async () => {
        const error = await grpcError(session.startJob({
          name: "nojar",
          config: { jar_path: "local/missing.jar" },
        }));
        assert.equal(error.code, Code.FAILED_PRECONDITION);

        const trailer = error.metadata.get("grpc-status-details-bin");
        assert.equal(trailer.length, 1);
        const status = Status.decode(trailer[0] as Buffer);
        assert.equal(status.code, Code.FAILED_PRECONDITION);
        assert.equal(status.message, error.details);
        assert.equal(status.details.length, 1);
        assert.equal(status.details[0].typeUrl, RECOVERABLE_TYPE_URL);
        assert.deepEqual(RecoverableError.decode(status.details[0].value), {
          recoverable: false,
        });
      },
    });

    await t.step(
      "GRPCController.Shutdown ends the process with 0 within 2 s",
      async () => {
        const report = await session.close();

        assert.equal(report.kill.forced, false);
        assert.ok(report.kill.ms < 2000, `took ${report.kill.ms} ms`);
        assert.equal(report.kill.status.code, 0);
        assert.equal(report.kill.status.signal, null);
        assert.equal(report.extraStdout, "");
        assert.deepEqual(report.removedByHarness, []);
        assert.equal(report.socketLeft, false, "socket file left behind");
      },
    );

    await t.step("every stderr line of the session is hclog JSON", () => {
      const lines = session.stderrLines;
      for (const line of lines) assertHclogLine(line);
      const messages = lines.map((line) => JSON.parse(line)["@message"]);
      if (!HOST_PROBLEM) {
        assert.ok(messages.includes("task started"), messages.join("\n"));
        assert.ok(messages.includes("task exited"), messages.join("\n"));
      }
    });
  } finally {
    await session.close();
  }
});

Deno.test("an agent start's three launches all succeed (PROTOCOL.md §0)", async (t) => {
  const stateDir = await Deno.makeTempDir({ prefix: "milo-e2e-" });
  try {
    const first = await fingerprintLaunch();
    await t.step("fingerprint launch: PluginInfo, ConfigSchema, Kill", () => {
      assert.equal(first.info.type, PluginType.DRIVER);
      assert.equal(first.info.name, "milo");
      assert.equal(first.schema.spec?.block?.$case, "object");
      assert.equal(first.kill.forced, false);
      assert.equal(first.kill.status.code, 0);
    });

    await t.step("validation launch: SetConfig twice, Kill", async () => {
      const second = await validationLaunch(first.schema, {
        state_dir: stateDir,
      });

      assert.equal(second.kill.forced, false);
      assert.equal(second.kill.status.code, 0);
    });

    await t.step(
      "runtime launch: SetConfig with nomad_config, Init, streams",
      async () => {
        const session = await E2ESession.start();
        let fingerprint;
        try {
          fingerprint = await withDeadline(
            session.nomad.firstFingerprint(),
            5000,
            "the first fingerprint",
          );
        } finally {
          await session.close();
        }
        const report = await session.close();

        assert.notEqual(fingerprint.health, Health.UNDETECTED);
        assert.equal(report.kill.forced, false);
        assert.equal(report.kill.status.code, 0);
      },
    );
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});
