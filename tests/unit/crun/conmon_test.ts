import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildConmonCommand,
  conmonFiles,
  parseSyncMessage,
  readCrunLog,
} from "../../../src/crun/_conmon.ts";
import { redirectOutput } from "../../../src/crun/_spawn.ts";

Deno.test("buildConmonCommand() passes crun's root and log through conmon", () => {
  const command = buildConmonCommand({
    conmonPath: "/usr/bin/conmon",
    crunPath: "/usr/bin/crun",
    stateRoot: "/run/milo/crun",
    id: "web",
    bundleDir: "/b/web",
    exitDir: "/run/milo/exits",
    persistDir: "/b/web/persist",
    files: conmonFiles("/b/web"),
  });

  assert.deepEqual(command, [
    "/usr/bin/conmon",
    "--api-version",
    "--cid=web",
    "--cuuid=web",
    "--name=web",
    "--runtime=/usr/bin/crun",
    "--runtime-arg=--root=/run/milo/crun",
    "--runtime-arg=--log=file:/b/web/crun.log",
    "--runtime-arg=--log-format=json",
    "--bundle=/b/web",
    "--container-pidfile=/b/web/container.pid",
    "--conmon-pidfile=/b/web/conmon.pid",
    "--exit-dir=/run/milo/exits",
    "--log-path=passthrough:",
    "--log-level=error",
    "--syslog",
    "--persist-dir=/b/web/persist",
  ]);
});

Deno.test("redirectOutput() keeps paths out of the script text", () => {
  const argv = redirectOutput(["/usr/bin/conmon"], {
    stdoutPath: '/a b/"out"',
    stderrPath: "/a b/$(err)",
  });

  assert.deepEqual(argv.slice(3), [
    "sh",
    '/a b/"out"',
    "/a b/$(err)",
    "/usr/bin/conmon",
  ]);
  assert.equal(argv[2].includes("/a b"), false);
});

Deno.test("parseSyncMessage() reads conmon's pid and failure lines", async (t) => {
  const rows: [string, ReturnType<typeof parseSyncMessage>][] = [
    ['{"data": 4242}', { pid: 4242 }],
    ['{"pid": 17}', { pid: 17 }],
    ['{"data": -1, "message": "bad\\n"}', { pid: -1, message: "bad" }],
    ["", null],
  ];
  for (const [line, expected] of rows) {
    await t.step(JSON.stringify(line), () => {
      assert.deepEqual(parseSyncMessage(line), expected);
    });
  }
  assert.throws(() => parseSyncMessage('{"other": 1}'), SyntaxError);
});

Deno.test("readCrunLog() joins crun's error messages and skips warnings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "crun.log");
    await Deno.writeTextFile(
      path,
      [
        '{"msg":"a warning","level":"warning","time":"t"}',
        '{"msg":"executable file `/x` not found","level":"error","time":"t"}',
        "",
      ].join("\n"),
    );

    assert.equal(await readCrunLog(path), "executable file `/x` not found");
    assert.equal(await readCrunLog(join(dir, "missing")), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
