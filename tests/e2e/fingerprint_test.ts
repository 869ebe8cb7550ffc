/**
 * The fingerprint through the real plugin: every missing dependency is
 * named with where Milo looked and the fix, and the open stream follows
 * the host within 2 s as crun or a Java runtime appears and disappears.
 * `milo fingerprint` prints what the plugin would send.
 */

import assert from "node:assert/strict";
import { status as Code } from "@grpc/grpc-js";
import { join } from "node:path";
import { selfCommand } from "../../main.ts";
import { which } from "../../src/driver/which.ts";
import type { FingerprintResponse } from "../../src/gen/nomad/driver.ts";
import {
  buildJars,
  E2ESession,
  grpcError,
  HOST_PROBLEM,
  hostTestName,
} from "./harness.ts";

const UNHEALTHY = 1;
const HEALTHY = 2;
/** The bound for noticing a change on the open stream. */
const NOTICE_MS = 2000;

const systemPath = Deno.env.get("PATH") ?? "/usr/bin";
const CRUN = which("crun", systemPath);
const CONMON = which("conmon", systemPath);
const JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";
const JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

/** A directory for the plugin's PATH holding links to the given tools. */
async function binDir(root: string, tools: Record<string, string>) {
  const dir = join(root, "bin");
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, target] of Object.entries(tools)) {
    await Deno.symlink(target, join(dir, name));
  }
  return dir;
}

/**
 * A fake runtime home (a release file and a bin/java script) built aside
 * and renamed into `root`, so it appears complete in one event.
 */
async function dropFakeRuntime(root: string, version: string) {
  const staging = await Deno.makeTempDir({ prefix: "milo-fake-jdk-" });
  await Deno.mkdir(join(staging, "bin"));
  await Deno.writeTextFile(
    join(staging, "release"),
    `IMPLEMENTOR="Milo Test"\nJAVA_VERSION="${version}"\nOS_ARCH="x86_64"\n`,
  );
  await Deno.writeTextFile(join(staging, "bin/java"), "#!/bin/sh\nexit 1\n");
  await Deno.chmod(join(staging, "bin/java"), 0o755);
  const home = join(root, `jdk-${version}`);
  await Deno.rename(staging, home);
  return home;
}

/** Waits for the stream to report `health`; returns it and the delay. */
async function nextHealth(
  session: E2ESession,
  health: number,
  change: () => Promise<unknown>,
): Promise<{ fingerprint: FingerprintResponse; ms: number }> {
  const waiting = session.nomad.nextFingerprint(
    (message) => message.health === health,
    NOTICE_MS,
  );
  const start = performance.now();
  await change();
  const fingerprint = await waiting;
  return { fingerprint, ms: performance.now() - start };
}

function attribute(fingerprint: FingerprintResponse, key: string) {
  const value = fingerprint.attributes[key]?.value;
  return value && "value" in value ? value.value : undefined;
}

const ready = HOST_PROBLEM === null && CRUN && CONMON;
const skipped = HOST_PROBLEM ?? "crun or conmon is not installed";

Deno.test({
  name: ready
    ? "a missing crun is named, and the stream sees it come and go"
    : `a missing crun is named (skipped: ${skipped})`,
  ignore: !ready,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "milo-fp-" });
    const bin = await binDir(dir, { conmon: CONMON! });
    const crunPath = join(dir, "nonexistent/crun");
    const session = await E2ESession.start({
      env: { PATH: bin },
      pluginConfig: { crun_path: crunPath },
    });
    try {
      await t.step("unhealthy, naming crun and where Milo looked", async () => {
        const first = await session.nomad.firstFingerprint();
        assert.equal(first.health, UNHEALTHY);
        // `deno run` puts its node_compat_bin in front of the PATH given.
        assert.match(
          first.healthDescription,
          new RegExp(
            `^crun not found \\(looked in crun_path = "${crunPath}" and ` +
              `PATH=([^ ]*:)?${bin}\\): install it \\(apt-get install crun\\) ` +
              "or set crun_path in the plugin config$",
          ),
        );
        assert.equal(attribute(first, "driver.milo.crun.version"), undefined);
        assert.equal(attribute(first, "driver.milo.conmon.version"), "2.1.6");
      });

      await t.step(
        "StartTask fails recoverably with the same cause",
        async () => {
          const jars = await buildJars();
          const error = await grpcError(session.startJob(
            { name: "early", config: { jar_path: "local/hello.jar" } },
            { "local/hello.jar": jars.hello },
          ));
          assert.equal(error.code, Code.FAILED_PRECONDITION);
          assert.match(error.details, /the host is not ready: crun not found/);
        },
      );

      await t.step("crun appearing on PATH turns it healthy", async () => {
        const { fingerprint, ms } = await nextHealth(
          session,
          HEALTHY,
          () => Deno.symlink(CRUN!, join(bin, "crun")),
        );
        assert.equal(fingerprint.healthDescription, "Healthy");
        assert.match(
          String(attribute(fingerprint, "driver.milo.crun.version")),
          /^\d+\.\d+/,
        );
        assert.ok(ms < NOTICE_MS, `seen after ${ms.toFixed(0)} ms`);
      });

      await t.step("crun disappearing turns it unhealthy again", async () => {
        const { fingerprint } = await nextHealth(
          session,
          UNHEALTHY,
          () => Deno.remove(join(bin, "crun")),
        );
        assert.match(fingerprint.healthDescription, /^crun not found/);
      });
    } finally {
      await session.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: ready
    ? "no Java runtime is named, and the stream sees one come and go"
    : `no Java runtime is named (skipped: ${skipped})`,
  ignore: !ready,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "milo-fp-" });
    const bin = await binDir(dir, { crun: CRUN!, conmon: CONMON! });
    const jdks = join(dir, "jdks");
    await Deno.mkdir(jdks);
    const session = await E2ESession.start({
      env: { PATH: bin, JAVA_HOME: "" },
      pluginConfig: { java_search_defaults: false, java_search_paths: [jdks] },
    });
    try {
      await t.step(
        "unhealthy, naming the search path and the fix",
        async () => {
          const first = await session.nomad.firstFingerprint();
          assert.equal(first.health, UNHEALTHY);
          assert.equal(
            first.healthDescription,
            `no Java runtime found (looked in ${jdks}): install a JDK ` +
              "(apt-get install default-jdk-headless) or set " +
              "java_search_paths or java_homes in the plugin config",
          );
        },
      );

      let home = "";
      await t.step("a runtime dropped into it turns it healthy", async () => {
        const { fingerprint, ms } = await nextHealth(
          session,
          HEALTHY,
          async () => home = await dropFakeRuntime(jdks, "21.0.2"),
        );
        assert.equal(
          attribute(fingerprint, "driver.milo.java.versions"),
          "21.0.2",
        );
        assert.equal(attribute(fingerprint, "driver.milo.java.21.home"), home);
        assert.equal(
          attribute(fingerprint, "driver.milo.java.21.vendor"),
          "Milo Test",
        );
        assert.ok(ms < NOTICE_MS, `seen after ${ms.toFixed(0)} ms`);
      });

      await t.step("its removal turns it unhealthy again", async () => {
        const { fingerprint } = await nextHealth(
          session,
          UNHEALTHY,
          () => Deno.remove(home, { recursive: true }),
        );
        assert.match(fingerprint.healthDescription, /^no Java runtime found/);
      });

      // Deno.watchFs reports no event for a new symlink; the stat poll does.
      await t.step("a symlink to a runtime is seen as well", async () => {
        const elsewhere = join(dir, "elsewhere");
        await Deno.mkdir(elsewhere);
        const target = await dropFakeRuntime(elsewhere, "22.0.1");
        const { fingerprint, ms } = await nextHealth(
          session,
          HEALTHY,
          () => Deno.symlink(target, join(jdks, "jdk-22")),
        );
        assert.equal(
          attribute(fingerprint, "driver.milo.java.versions"),
          "22.0.1",
        );
        assert.ok(ms < NOTICE_MS, `seen after ${ms.toFixed(0)} ms`);
      });
    } finally {
      await session.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: hostTestName("several problems are named in one description"),
  ignore: HOST_PROBLEM !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "milo-fp-" });
    const bin = await binDir(dir, {});
    const session = await E2ESession.start({
      env: { PATH: bin, JAVA_HOME: "" },
      pluginConfig: {
        crun_path: "/nonexistent/crun",
        java_search_defaults: false,
        java_search_paths: [join(dir, "no-jdks-here")],
      },
    });
    try {
      const first = await session.nomad.firstFingerprint();
      assert.equal(first.health, UNHEALTHY);
      const problems = first.healthDescription.split(
        /; (?=crun |conmon |no Java )/,
      );
      assert.equal(problems.length, 3, first.healthDescription);
      assert.match(problems[0], /^crun not found .*crun_path/);
      assert.match(
        problems[1],
        new RegExp(`^conmon not found .*PATH=([^ ]*:)?${bin}\\)`),
      );
      assert.match(problems[2], /^no Java runtime found .*no-jdks-here/);
    } finally {
      await session.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Runs `milo fingerprint` with `args` and `env`. */
async function miloFingerprint(args: string[], env: Record<string, string>) {
  const [program, ...rest] = selfCommand();
  const output = await new Deno.Command(program, {
    args: [...rest, "fingerprint", ...args],
    env,
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test({
  name: ready
    ? "milo fingerprint prints what Nomad would see"
    : `milo fingerprint (skipped: ${skipped})`,
  ignore: !ready,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "milo-fp-" });
    const state = ["--state-dir", join(dir, "state")];
    try {
      await t.step(
        "--crun-path /nonexistent without crun on PATH",
        async () => {
          const bin = await binDir(dir, { conmon: CONMON! });
          const run = await miloFingerprint(
            ["--json", "--crun-path", "/nonexistent", ...state],
            { PATH: bin },
          );
          assert.equal(run.code, 1, run.stderr);
          const fingerprint = JSON.parse(run.stdout);
          assert.equal(fingerprint.health, "unhealthy");
          assert.equal(fingerprint.problems.length, 1);
          assert.match(
            fingerprint.problems[0],
            /^crun not found \(looked in crun_path = "\/nonexistent" and PATH=/,
          );
        },
      );

      await t.step("as installed: healthy, with every JDK", async () => {
        const run = await miloFingerprint(["--json", ...state], {
          PATH: systemPath,
        });
        const fingerprint = JSON.parse(run.stdout);
        assert.deepEqual(
          [fingerprint.health, fingerprint.description],
          ["healthy", "Healthy"],
        );
        assert.equal(run.code, 0);
        const attributes = fingerprint.attributes;
        for (const key of ["crun", "conmon"]) {
          assert.match(attributes[`driver.milo.${key}.version`], /^\d+\.\d+/);
        }
        assert.match(attributes["driver.milo.cgroup.version"], /^[12]$/);
        for (const [feature, home] of [["17", JDK17], ["25", JDK25]]) {
          if (!(await Deno.stat(home).catch(() => null))) continue;
          assert.equal(attributes[`driver.milo.java.${feature}.home`], home);
          assert.match(
            attributes["driver.milo.java.versions"],
            new RegExp(`(^|,)${feature}\\.`),
          );
        }
      });

      await t.step(
        "text output lists each problem on its own line",
        async () => {
          const run = await miloFingerprint(
            ["--crun-path", "/nonexistent", ...state],
            { PATH: join(dir, "bin") },
          );
          assert.equal(run.code, 1);
          assert.match(
            run.stdout,
            /^health: unhealthy\nproblems:\n {2}- crun not found/,
          );
          assert.match(run.stdout, /\nattributes:\n {2}driver\.milo\./);
        },
      );

      await t.step("an unknown option is refused by name", async () => {
        const run = await miloFingerprint(["--crun"], { PATH: systemPath });
        assert.equal(run.code, 1);
        assert.match(run.stderr, /--crun/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
