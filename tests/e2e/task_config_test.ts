/**
 * A task's `config {}` block through the real plugin, crun and conmon:
 * what StartTask refuses, and what reaches the JVM (class path, paths with
 * spaces, UTF-8 arguments, JVM options, the task's mounts and env).
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { status as Code } from "@grpc/grpc-js";
import { encode } from "@msgpack/msgpack";
import { DriverService } from "../../src/gen/nomad/driver.ts";
import { invoke } from "../../src/nomad/plugin_client.ts";
import { buildTaskConfig } from "../../src/nomad/task_config.ts";
import {
  conmonPids,
  grpcError,
  listContainers,
  sessionTest,
  text,
} from "./harness.ts";

const TASK_KEYS = [
  "args",
  "class",
  "class_path",
  "jar_path",
  "java_home",
  "java_version",
  "jvm_options",
  "work_dir",
];

sessionTest("task config reaches the JVM or is refused clearly", async (c) => {
  const { t, session, jars, crunRoot } = c;

  await t.step(
    "a missing main class fails in the JVM, exit non-zero",
    async () => {
      const result = await session.runJob(
        {
          name: "missing-class",
          config: {
            class: "com.example.Missing",
            class_path: "local/greeter-lib.jar",
          },
        },
        { "local/greeter-lib.jar": jars["greeter-lib"] },
      );

      assert.notEqual(result.exit.exitCode, 0);
      assert.match(
        text(result.stderr),
        /ClassNotFoundException|Could not find or load main class/,
      );
      assert.match(text(result.stderr), /com\.example\.Missing/);
      assert.deepEqual(result.leftovers, []);
    },
  );

  await t.step("class with class_path runs com.example.Greeter", async () => {
    const result = await session.runJob(
      {
        name: "greeter",
        config: {
          class: "com.example.Greeter",
          class_path: "local/greeter-lib.jar",
          args: ["Milo"],
        },
      },
      { "local/greeter-lib.jar": jars["greeter-lib"] },
    );

    assert.equal(result.exit.exitCode, 0, text(result.stderr));
    assert.equal(
      text(result.stdout),
      "Hello, Milo! (from com.example.Greeter)\n",
    );
    assert.deepEqual(result.leftovers, []);
  });

  await t.step(
    "a missing jar fails StartTask with FAILED_PRECONDITION naming it",
    async () => {
      const containersBefore = await listContainers(crunRoot);
      const bundlesBefore = await session.bundles();

      const error = await grpcError(session.startJob({
        name: "nojar",
        config: { jar_path: "local/not-there.jar" },
      }));

      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.match(error.details, /"local\/not-there\.jar"/);
      assert.deepEqual(await listContainers(crunRoot), containersBefore);
      assert.deepEqual(await session.bundles(), bundlesBefore);
      assert.deepEqual(await conmonPids(session.stateDir), []);
    },
  );

  await t.step(
    "paths the container cannot use fail StartTask before anything exists",
    async (t) => {
      const hostDir = await Deno.makeTempDir({ prefix: "milo-outside-" });
      const cases: [string, Record<string, unknown>, RegExp][] = [
        [
          "a host jar outside the container's view",
          { jar_path: `${hostDir}/app.jar` },
          /is outside what the container sees/,
        ],
        ["a jar that is a directory", { jar_path: "local" }, /is not a file/],
        [
          "a work_dir that crun would create in the host's /usr",
          { class: "Main", work_dir: `/usr/milo-nonexistent-${Date.now()}` },
          /work_dir ".*" is not a directory in the container/,
        ],
      ];
      await Deno.writeFile(`${hostDir}/app.jar`, new Uint8Array([1]));
      try {
        for (const [name, config, message] of cases) {
          await t.step(name, async () => {
            const error = await grpcError(
              session.startJob({ name: "badpath", config }),
            );
            assert.equal(error.code, Code.FAILED_PRECONDITION);
            assert.match(error.details, message);
            assert.deepEqual(await session.bundles(), []);
          });
        }
        const workDir = cases[2][1].work_dir as string;
        assert.equal(await Deno.stat(workDir).catch(() => null), null);
      } finally {
        await Deno.remove(hostDir, { recursive: true });
      }
    },
  );

  await t.step(
    "neither jar_path nor class is INVALID_ARGUMENT naming both",
    async () => {
      const bundlesBefore = await session.bundles();

      const error = await grpcError(session.startJob({
        name: "noclass",
        config: { args: ["x"] },
      }));

      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.details, /"jar_path"/);
      assert.match(error.details, /"class"/);
      assert.deepEqual(await session.bundles(), bundlesBefore);
    },
  );

  await t.step(
    "a 5 MiB StartTask request is read whole, past grpc-js's 4 MiB default",
    async () => {
      const error = await grpcError(session.startJob({
        name: "big",
        config: { jar_path: "local/missing.jar" },
        env: { BIG: "x".repeat(5 * 1024 * 1024) },
      }));

      // Refused for the jar, not for its size (RESOURCE_EXHAUSTED).
      assert.equal(error.code, Code.FAILED_PRECONDITION, error.details);
      assert.match(error.details, /"local\/missing\.jar"/);
    },
  );

  await t.step(
    "an argument execve would refuse fails StartTask, not the exec",
    async () => {
      const error = await grpcError(session.startJob(
        {
          name: "hugearg",
          config: { jar_path: "local/hello.jar", args: ["x".repeat(200_000)] },
        },
        { "local/hello.jar": jars.hello },
      ));
      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.match(error.details, /more than Linux allows/);
      assert.deepEqual(await session.bundles(), []);
    },
  );

  await t.step(
    "garbage in msgpack_driver_config is INVALID_ARGUMENT; serving goes on",
    async (t) => {
      const alloc = await session.nomad.makeAlloc(session.allocRoot, {
        name: "garbage",
        config: {},
      });
      const rows: [string, Uint8Array][] = [
        ["a reserved byte", Uint8Array.of(0xc1)],
        ["a truncated map", Uint8Array.of(0x82, 0xa3, 0x61)],
        ["an array", encode(["jar_path", "local/x.jar"])],
      ];
      for (const [label, bytes] of rows) {
        await t.step(label, async () => {
          const task = buildTaskConfig(
            { name: "garbage", config: {} },
            alloc,
            TASK_KEYS,
          );
          task.msgpackDriverConfig = Buffer.from(bytes);
          // Should it start after all, nothing must wait for a FIFO reader.
          task.stdoutPath = "";
          task.stderrPath = "";

          const error = await grpcError(
            invoke(session.nomad.plugin.driver, DriverService.startTask, {
              task,
            }),
          );

          assert.equal(error.code, Code.INVALID_ARGUMENT);
          assert.match(
            error.details,
            /^Cannot decode the task config of "garbage" \(msgpack_driver_config\): /,
          );
        });
      }

      const result = await session.runJob(
        { name: "hello", config: { jar_path: "local/hello.jar" } },
        { "local/hello.jar": jars.hello },
      );
      assert.equal(result.exit.exitCode, 0);
      assert.match(text(result.stdout), /^Hello from Milo\n/);
    },
  );

  await t.step(
    "a jar path with spaces and UTF-8 args reach the JVM byte for byte",
    async () => {
      const args = ["über", "日本語", "two words"];
      const result = await session.runJob(
        {
          name: "echoargs",
          config: { jar_path: "local/my app/app v1.jar", args },
        },
        { "local/my app/app v1.jar": jars.echoargs },
      );

      assert.equal(result.exit.exitCode, 0, text(result.stderr));
      const expected = new TextEncoder().encode(
        "arg[0]=über\narg[1]=日本語\narg[2]=two words\n",
      );
      assert.deepEqual(
        result.stdout.subarray(0, expected.length),
        expected,
        text(result.stdout),
      );
      assert.deepEqual(result.leftovers, []);
    },
  );

  await t.step("jvm_options reach the JVM unchanged", async () => {
    const options = ["-Dgreeting=hello world", '-Dq="quoted"'];
    const result = await session.runJob(
      {
        name: "echoargs",
        config: { jar_path: "local/echoargs.jar", jvm_options: options },
        env: { MILO_PRINT_PROPS: "greeting,q" },
      },
      { "local/echoargs.jar": jars.echoargs },
    );

    assert.equal(result.exit.exitCode, 0, text(result.stderr));
    const lines = text(result.stdout).split("\n");
    assert.ok(lines.includes("prop[greeting]=hello world"), lines.join("\n"));
    assert.ok(lines.includes('prop[q]="quoted"'), lines.join("\n"));
    assert.ok(lines.includes("jvmarg=-Dgreeting=hello world"));
    assert.ok(lines.includes('jvmarg=-Dq="quoted"'));
    assert.deepEqual(result.leftovers, []);
  });

  await t.step(
    "the task sees /local, /alloc, /secrets and NOMAD_TASK_DIR=/local",
    async () => {
      const result = await session.runJob(
        {
          name: "echoargs",
          config: {
            // Each path proves one mount: the jar is read from /secrets,
            // the JVM starts in /alloc/data and writes its log to /local.
            jar_path: "/secrets/echoargs.jar",
            work_dir: "/alloc/data",
            jvm_options: ["-Xlog:gc:file=/local/gc.log"],
          },
          env: { MILO_PRINT_ENV: "NOMAD_TASK_DIR" },
        },
        { "/secrets/echoargs.jar": jars.echoargs },
      );

      assert.equal(result.exit.exitCode, 0, text(result.stderr));
      const lines = text(result.stdout).split("\n");
      assert.ok(lines.includes("env[NOMAD_TASK_DIR]=/local"), lines.join("\n"));
      assert.ok(lines.includes("cwd=/alloc/data"), lines.join("\n"));
      assert.ok((await Deno.stat(`${result.alloc.localDir}/gc.log`)).isFile);
      assert.deepEqual(result.leftovers, []);
    },
  );

  await t.step(
    "a relative jar_path is relative to the task dir, also with work_dir",
    async () => {
      // StartTask checks "local/hello.jar" under the task dir; the JVM must
      // then open that same file, whatever its working directory.
      const result = await session.runJob(
        {
          name: "hello",
          config: { jar_path: "local/hello.jar", work_dir: "/local" },
        },
        { "local/hello.jar": jars.hello },
      );

      assert.equal(result.exit.exitCode, 0, text(result.stderr));
      assert.match(text(result.stdout), /^Hello from Milo\n/);
      assert.deepEqual(result.leftovers, []);
    },
  );
});
