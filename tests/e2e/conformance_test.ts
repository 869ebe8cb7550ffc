/**
 * HashiCorp's go-plugin client drives Milo as Nomad does: the Go program in
 * tests/conformance/ passes against the real plugin, and fails, naming the
 * broken check first, against each mutant that changes exactly one thing.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { selfCommand } from "../../main.ts";
import { buildJars, HOST_PROBLEM } from "./harness.ts";

const DIR = fileURLToPath(new URL("../conformance/", import.meta.url));
const GO = await goProblem();
const SKIP = GO ?? HOST_PROBLEM;

/** Mutant entry point to the check that must fail first. */
const MUTANTS: Record<string, string> = {
  "wrong_protocol.ts":
    "fingerprint launch: go-plugin client connects (handshake line accepted)",
  "wrong_health_name.ts":
    'fingerprint launch: health Check("plugin") answers SERVING',
  "wrong_plugin_type.ts": "fingerprint launch: PluginInfo type is DRIVER (2)",
};

Deno.test({
  name: SKIP
    ? `go-plugin conformance (skipped: ${SKIP})`
    : "go-plugin's client accepts Milo and rejects each mutant",
  ignore: SKIP !== null,
  async fn(t) {
    const jars = await buildJars();
    const binary = await Deno.makeTempFile({ prefix: "milo-conformance-" });
    try {
      const build = await run("go", ["build", "-o", binary, "."]);
      assert.equal(build.code, 0, `go build failed:\n${build.output}`);

      await t.step("the real plugin passes every check", async () => {
        const result = await run(binary, ["-jar", jars.hello], {
          MILO_PLUGIN: selfCommand().join(" "),
        });
        assert.equal(result.code, 0, result.output);
      });

      for (const [mutant, check] of Object.entries(MUTANTS)) {
        await t.step(`${mutant} fails "${check}"`, async () => {
          const command = [
            ...selfCommand().slice(0, -1),
            DIR + "mutants/" +
            mutant,
          ];
          const args = ["-jar", jars.hello, "-failfast"];
          const result = await run(binary, args, {
            MILO_PLUGIN: command.join(" "),
          });
          assert.equal(result.code, 1, result.output);
          const first = result.output.split("\n")
            .find((line) => line.startsWith("FAIL "));
          assert.ok(first?.startsWith(`FAIL  ${check}:`), result.output);
          // The failed launch still killed its plugin.
          assert.deepEqual(await processesRunning(mutant), [], "left running");
        });
      }
    } finally {
      await Deno.remove(binary).catch(() => {});
    }
  },
});

async function run(
  program: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    cwd: DIR,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

async function goProblem(): Promise<string | null> {
  try {
    const { success } = await new Deno.Command("go", { args: ["version"] })
      .output();
    return success ? null : "go version failed";
  } catch {
    return "needs go on PATH";
  }
}

/** Pids of processes whose command line names `file`, after a grace period. */
async function processesRunning(file: string): Promise<number[]> {
  const deadline = Date.now() + 3000;
  while (true) {
    const pids: number[] = [];
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`)
        .catch(() => "");
      if (cmdline.includes(`mutants/${file}`)) pids.push(Number(entry.name));
    }
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
