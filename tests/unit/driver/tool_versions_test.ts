import assert from "node:assert/strict";
import {
  parseToolVersion,
  ToolVersions,
  versionAtLeast,
} from "../../../src/driver/tool_versions.ts";

Deno.test("parseToolVersion() reads crun's and conmon's first lines", () => {
  assert.equal(
    parseToolVersion("crun version 1.8.1\ncommit: f8a096b\n+SYSTEMD +SELINUX"),
    "1.8.1",
  );
  assert.equal(
    parseToolVersion("conmon version 2.1.6\ncommit: unknown\n"),
    "2.1.6",
  );
  assert.equal(parseToolVersion("tool version: v0.4"), "0.4");
  assert.equal(parseToolVersion("usage: crun [OPTION...]"), undefined);
});

Deno.test("versionAtLeast() compares dotted versions numerically", () => {
  assert.ok(versionAtLeast("1.8.1", "1.8.0"));
  assert.ok(versionAtLeast("1.10", "1.8.0"));
  assert.ok(versionAtLeast("1.8", "1.8.0"));
  assert.ok(!versionAtLeast("1.7.9", "1.8.0"));
  assert.ok(!versionAtLeast("0.99", "1"));
});

/** A tool script printing `version` and counting its runs in `log`. */
async function fakeTool(dir: string, version: string): Promise<string> {
  const path = `${dir}/tool`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho run >> "${dir}/runs"\necho "tool version ${version}"\n`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

async function runs(dir: string): Promise<number> {
  const text = await Deno.readTextFile(`${dir}/runs`).catch(() => "");
  return text.split("\n").filter(Boolean).length;
}

Deno.test("ToolVersions runs a tool once until its binary changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const versions = new ToolVersions();
    const path = await fakeTool(dir, "1.2.3");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => versions.versionOf(path)),
    );
    assert.deepEqual(answers[4], { version: "1.2.3" });
    assert.equal(await runs(dir), 1, "five concurrent asks, one run");
    assert.equal(versions.spawns, 1);

    // Replaced by a new file (new inode): asked again.
    await Deno.remove(path);
    await fakeTool(dir, "1.3.0");
    assert.deepEqual(await versions.versionOf(path), { version: "1.3.0" });
    assert.equal(await runs(dir), 2);
    assert.equal(versions.spawns, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ToolVersions explains a tool that is gone, fails or says nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const versions = new ToolVersions();
    const gone = await versions.versionOf(`${dir}/missing`);
    assert.match("error" in gone ? gone.error : "", /cannot stat/);

    await Deno.writeTextFile(
      `${dir}/failing`,
      "#!/bin/sh\necho boom\nexit 3\n",
    );
    await Deno.chmod(`${dir}/failing`, 0o755);
    const failing = await versions.versionOf(`${dir}/failing`);
    assert.match("error" in failing ? failing.error : "", /exited 3: boom/);

    await Deno.writeTextFile(`${dir}/quiet`, "#!/bin/sh\necho hello\n");
    await Deno.chmod(`${dir}/quiet`, 0o755);
    const quiet = await versions.versionOf(`${dir}/quiet`);
    assert.match("error" in quiet ? quiet.error : "", /printed no version/);

    await Deno.writeTextFile(`${dir}/notexec`, "not a program");
    const notExec = await versions.versionOf(`${dir}/notexec`);
    assert.match("error" in notExec ? notExec.error : "", /cannot run/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ToolVersions asks a failing tool again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const versions = new ToolVersions();
    await Deno.writeTextFile(`${dir}/flaky`, "#!/bin/sh\nexit 1\n");
    await Deno.chmod(`${dir}/flaky`, 0o755);
    assert.ok("error" in await versions.versionOf(`${dir}/flaky`));
    assert.ok("error" in await versions.versionOf(`${dir}/flaky`));
    assert.equal(versions.spawns, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
