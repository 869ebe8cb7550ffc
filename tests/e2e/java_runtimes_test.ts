/**
 * Java runtimes through the real plugin: each task runs on the runtime its
 * java_version asks for, the start event names it, the fingerprint lists
 * every runtime, and `milo runtimes` shows what the plugin would advertise.
 */

import assert from "node:assert/strict";
import { status as Code } from "@grpc/grpc-js";
import { selfCommand } from "../../main.ts";
import { grpcError, sessionTest, text } from "./harness.ts";

const JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";
const JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";
const haveBoth = [JDK17, JDK25].every((home) => {
  try {
    return Deno.statSync(`${home}/release`).isFile;
  } catch {
    return false;
  }
});

/** A fake runtime home: a release file and a bin/java that is a script. */
async function fakeRuntime(dir: string, version: string): Promise<string> {
  const home = `${dir}/jdk-${version}-fake`;
  await Deno.mkdir(`${home}/bin`, { recursive: true });
  await Deno.writeTextFile(
    `${home}/release`,
    `IMPLEMENTOR="Milo Test"\nJAVA_VERSION="${version}"\nOS_ARCH="x86_64"\n`,
  );
  await Deno.writeTextFile(`${home}/bin/java`, "#!/bin/sh\nexit 1\n");
  await Deno.chmod(`${home}/bin/java`, 0o755);
  return home;
}

if (haveBoth) {
  sessionTest("java_version picks the runtime a task runs on", async (c) => {
    const { t, session, jars } = c;
    const hello = { "local/hello.jar": jars.hello };

    for (
      const [constraint, expected, home] of [
        ["17", /java:\s+17\.0\.\d+/, JDK17],
        ["25", /java:\s+25\.0\.\d+/, JDK25],
      ] as const
    ) {
      await t.step(`java_version = "${constraint}"`, async () => {
        const result = await session.runJob({
          name: `java${constraint}`,
          config: { jar_path: "local/hello.jar", java_version: constraint },
        }, hello);
        assert.equal(result.exit.exitCode, 0, text(result.stderr));
        assert.match(text(result.stdout), expected);
        assert.match(text(result.stdout), new RegExp(`home:\\s+${home}`));
        const event = session.nomad.events.find((e) =>
          e.taskId === result.taskId && e.message.startsWith("using Java")
        );
        assert.match(event?.message ?? "", new RegExp(`at ${home} in`));
      });
    }

    await t.step("no constraint runs on the newest runtime", async () => {
      const result = await session.runJob({
        name: "newest",
        config: { jar_path: "local/hello.jar" },
      }, hello);
      assert.match(text(result.stdout), /java:\s+25\./);
    });

    await t.step("a constraint nothing meets names it and lists", async () => {
      const error = await grpcError(session.startJob({
        name: "java21",
        config: { jar_path: "local/hello.jar", java_version: "21" },
      }, hello));
      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.match(error.details, /java_version "21"/);
      assert.match(
        error.details,
        new RegExp(`17\\.0\\.\\d+ \\(Debian\\) at ${JDK17}`),
      );
      assert.match(error.details, new RegExp(`25\\.0\\.\\d+ .* at ${JDK25}`));
      assert.deepEqual(await session.bundles(), []);
    });

    await t.step("a malformed constraint is INVALID_ARGUMENT", async () => {
      const error = await grpcError(session.startJob({
        name: "javabad",
        config: { jar_path: "local/hello.jar", java_version: "seventeen" },
      }, hello));
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.details, /"seventeen"/);
    });

    await t.step("the fingerprint lists both runtimes", () => {
      const fingerprint = session.nomad.fingerprints.at(-1)!;
      const value = (key: string) => {
        const attribute = fingerprint.attributes[key]?.value;
        return attribute?.$case === "stringVal" ? attribute.value : undefined;
      };
      assert.match(value("driver.milo.java.17.version") ?? "", /^17\.0\./);
      assert.equal(value("driver.milo.java.25.home"), JDK25);
      assert.equal(value("driver.milo.java.25.vendor"), "Eclipse Adoptium");
      assert.match(value("driver.milo.java.default") ?? "", /^25\./);
    });
  });
}

if (!haveBoth) {
  Deno.test({
    name: "java_version picks the runtime (skipped: needs Debian's JDK 17 " +
      "and Temurin 25)",
    ignore: true,
    fn() {},
  });
}

Deno.test({
  name: haveBoth
    ? "milo runtimes --json lists the JDKs here and a --java-search-path one"
    : "milo runtimes --json (skipped: needs Debian's JDK 17 and Temurin 25)",
  ignore: !haveBoth,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "milo-jdks-" });
    try {
      const fake = await fakeRuntime(dir, "21.0.2");
      const [program, ...args] = selfCommand();
      const output = await new Deno.Command(program, {
        args: [...args, "runtimes", "--json", "--java-search-path", dir],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const listed = JSON.parse(new TextDecoder().decode(output.stdout));
      const byHome = new Map(
        listed.runtimes.map((r: { home: string }) => [r.home, r]),
      );
      // deno-lint-ignore no-explicit-any
      const get = (home: string) => byHome.get(home) as any;
      assert.equal(get(JDK17)?.version.feature, 17);
      assert.equal(get(JDK17)?.vendor, "Debian");
      assert.equal(get(JDK25)?.version.feature, 25);
      assert.equal(get(JDK25)?.vendor, "Eclipse Adoptium");
      assert.equal(get(fake)?.version.short, "21.0.2");
      assert.equal(get(fake)?.vendor, "Milo Test");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
