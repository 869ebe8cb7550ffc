import assert from "node:assert/strict";
import { javaArgv, parseTaskConfig } from "../../../src/driver/task_config.ts";
import { InvalidTaskConfigError } from "../../../src/driver/errors.ts";

const unset = {
  jar_path: null,
  class: null,
  class_path: null,
  jvm_options: null,
  args: null,
  work_dir: null,
};

Deno.test("parseTaskConfig() reads a jar task as cty sends it", () => {
  const config = parseTaskConfig({
    ...unset,
    jar_path: "local/app.jar",
    jvm_options: ["-Xmx64m"],
    args: ["a"],
  });
  assert.deepEqual(config, {
    jarPath: "local/app.jar",
    className: undefined,
    classPath: undefined,
    jvmOptions: ["-Xmx64m"],
    args: ["a"],
    workDir: undefined,
    javaVersion: undefined,
    javaHome: undefined,
  });
});

Deno.test("parseTaskConfig() rejects bad configs with the key and a fix", async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["neither jar nor class", unset, /"jar_path" nor "class"/],
    ["an unknown key", { ...unset, jar: "x.jar" }, /unknown key "jar"/],
    [
      "a string where a list is expected",
      { ...unset, jar_path: "a.jar", args: "a b" },
      /"args" must be a list of strings/,
    ],
    [
      "a number in jvm_options",
      { ...unset, jar_path: "a.jar", jvm_options: [1] },
      /"jvm_options" must be a list of strings/,
    ],
    [
      "a relative work_dir",
      { ...unset, jar_path: "a.jar", work_dir: "local" },
      /"work_dir" must be an absolute path/,
    ],
    [
      "a list where a string is expected",
      { ...unset, jar_path: ["a.jar"] },
      /"jar_path" must be a string/,
    ],
  ];
  for (const [name, raw, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => parseTaskConfig(raw),
        (error: Error) =>
          error instanceof InvalidTaskConfigError &&
          error.message.startsWith("Invalid task config: ") &&
          message.test(error.message),
      );
    });
  }
});

Deno.test("javaArgv() orders options, class path, jar, class, args", () => {
  assert.deepEqual(
    javaArgv("/jdk/bin/java", {
      jarPath: "local/app v1.jar",
      className: "Main",
      classPath: "lib/*",
      jvmOptions: ["-Dgreeting=hello world", '-Dq="quoted"'],
      args: ["über", "two words"],
    }),
    [
      "/jdk/bin/java",
      "-Dgreeting=hello world",
      '-Dq="quoted"',
      "-cp",
      "/lib/*",
      "-jar",
      "/local/app v1.jar",
      "Main",
      "über",
      "two words",
    ],
  );
});

Deno.test("javaArgv() resolves relative paths from the task dir", () => {
  const argv = javaArgv("/java", {
    classPath: "local/a.jar:/usr/share/java/b.jar::lib/*",
    className: "Main",
    jvmOptions: [],
    args: [],
    workDir: "/local",
  });
  assert.deepEqual(argv, [
    "/java",
    "-cp",
    "/local/a.jar:/usr/share/java/b.jar::/lib/*",
    "Main",
  ]);
});

Deno.test("parseTaskConfig() refuses what a process would mangle", async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "a NUL in args",
      { ...unset, jar_path: "a.jar", args: ["a\0b"] },
      /"args\[0\]" contains a NUL/,
    ],
    ["an empty JVM option", {
      ...unset,
      jar_path: "a.jar",
      jvm_options: ["-Xmx1g", " "],
    }, /"jvm_options\[1\]" is empty/],
    [
      "a blank in the class",
      { ...unset, class: "com.example Main" },
      /"class" must be a class name/,
    ],
  ];
  for (const [name, raw, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseTaskConfig(raw), message);
    });
  }
});
