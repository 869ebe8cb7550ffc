/**
 * The host check on sample mount tables and tool directories: every
 * problem is named with where Milo looked and the fix, and the cgroup
 * hybrid layout is healthy only while the workaround is on.
 */

import assert from "node:assert/strict";
import { detectCgroupLayout } from "../../../src/crun/cgroup_layout.ts";
import { fingerprintHost } from "../../../src/driver/fingerprint.ts";
import { HostChecker } from "../../../src/driver/host.ts";
import {
  DEFAULT_PLUGIN_CONFIG,
  type PluginConfig,
} from "../../../src/driver/plugin_config.ts";
import type { Inventory } from "../../../src/java/mod.ts";
import { Logger } from "../../../src/log/logger.ts";
import {
  HYBRID_VM,
  NO_CGROUPS,
  PURE_V1,
  PURE_V2,
  SYSTEMD_HYBRID,
} from "../crun/_mount_tables.ts";
import { toolDir, writeTool } from "./_tools.ts";

const NO_JAVA: Inventory = {
  runtimes: [],
  broken: [],
  searched: ["/opt/jdks"],
} as unknown as Inventory;

async function check(
  mountinfo: string,
  controllers: string | undefined,
  config: Partial<PluginConfig> = {},
) {
  const dir = await toolDir();
  const lines: string[] = [];
  const checker = new HostChecker(
    { ...DEFAULT_PLUGIN_CONFIG, stateDir: `${dir}/state`, ...config },
    new Logger({ sink: (line) => lines.push(line) }),
    {
      path: dir,
      cgroup: () => Promise.resolve(detectCgroupLayout(mountinfo, controllers)),
    },
  );
  try {
    const host = await checker.check();
    return { host, lines, dir };
  } finally {
    await checker.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("HostChecker accepts cgroup v2 and v1 hosts as they are", async () => {
  const tables: [string, string | undefined][] = [
    [PURE_V2, undefined],
    [PURE_V1, undefined],
    // systemd's hybrid mode with an empty cgroup2: crun accepts it.
    [SYSTEMD_HYBRID, ""],
  ];
  for (const [table, controllers] of tables) {
    const { host } = await check(table, controllers);
    assert.deepEqual(host.problems, []);
    assert.equal(host.hybridWorkaround, false);
    assert.equal(host.crun?.version, "1.8.1");
    assert.equal(host.conmon?.version, "2.1.6");
    assert.ok(host.runtime);
  }
});

Deno.test("HostChecker runs crun around a hybrid cgroup2 mount when allowed", async () => {
  const { host, lines } = await check(HYBRID_VM, "hugetlb\n");
  assert.deepEqual(host.problems, []);
  assert.equal(host.hybridWorkaround, true);
  const fingerprint = fingerprintHost(host, NO_JAVA, "0.0.0");
  assert.equal(
    fingerprint.attributes["driver.milo.cgroup_hybrid_workaround"],
    true,
  );
  assert.equal(fingerprint.attributes["driver.milo.cgroup.mode"], "hybrid");
  assert.equal(lines.filter((l) => /hybrid mode/.test(l)).length, 1);
});

Deno.test("HostChecker explains the hybrid layout when the workaround is off", async () => {
  const { host } = await check(HYBRID_VM, "hugetlb\n", {
    cgroupHybridWorkaround: false,
  });
  assert.equal(host.problems.length, 1);
  assert.match(host.problems[0], /hybrid mode/);
  assert.match(host.problems[0], /\/sys\/fs\/cgroup\/unified/);
  assert.match(host.problems[0], /systemd\.unified_cgroup_hierarchy=1/);
  assert.match(host.problems[0], /cgroup_hybrid_workaround = true/);
});

Deno.test("HostChecker names a host without cgroups", async () => {
  const { host } = await check(NO_CGROUPS, undefined);
  assert.equal(host.problems.length, 1);
  assert.match(host.problems[0], /no cgroup file system is mounted/);
  const fingerprint = fingerprintHost(host, NO_JAVA, "0.0.0");
  assert.equal(fingerprint.attributes["driver.milo.cgroup.version"], undefined);
});

Deno.test("HostChecker names every missing tool with where it looked", async () => {
  const empty = await Deno.makeTempDir();
  const checker = new HostChecker(
    {
      ...DEFAULT_PLUGIN_CONFIG,
      stateDir: "/proc/version/milo",
      crunPath: "/nonexistent/crun",
    },
    new Logger({ sink: () => {} }),
    {
      path: empty,
      cgroup: () => Promise.resolve(detectCgroupLayout(PURE_V2)),
    },
  );
  try {
    const host = await checker.check();
    assert.equal(host.runtime, undefined);
    const [crun, conmon, ...dirs] = host.problems;
    assert.match(
      crun,
      new RegExp(
        `^crun not found \\(looked in crun_path = "/nonexistent/crun" and ` +
          `PATH=${empty}\\): install it \\(apt-get install crun\\)`,
      ),
    );
    assert.match(conmon, new RegExp(`^conmon not found .*PATH=${empty}`));
    assert.equal(dirs.length, 4, "crun root, bundles, exits and rootfs");
    assert.match(dirs[0], /cannot use "\/proc\/version\/milo\/crun"/);

    const fingerprint = fingerprintHost(host, NO_JAVA, "0.0.0");
    assert.equal(
      fingerprint.health,
      Deno.uid() === 0 ? "unhealthy" : "undetected",
    );
    assert.equal(
      fingerprint.problems.at(-1)?.startsWith(
        "no Java runtime found (looked in /opt/jdks)",
      ),
      true,
    );
    assert.equal(
      fingerprint.description,
      fingerprint.problems.join("; "),
      "one line naming every problem",
    );
    assert.equal(fingerprint.attributes["driver.milo.crun.version"], undefined);
  } finally {
    await checker.close();
    await Deno.remove(empty);
  }
});

Deno.test("HostChecker refuses a crun older than the minimum", async () => {
  const dir = await toolDir();
  await writeTool(dir, "crun", "0.17");
  const checker = new HostChecker(
    { ...DEFAULT_PLUGIN_CONFIG, stateDir: `${dir}/state` },
    new Logger({ sink: () => {} }),
    { path: dir, cgroup: () => Promise.resolve(detectCgroupLayout(PURE_V2)) },
  );
  try {
    const host = await checker.check();
    assert.equal(host.problems.length, 1);
    assert.match(
      host.problems[0],
      /crun at ".*" is version 0\.17, older than 1\.8\.0: install a newer crun/,
    );
  } finally {
    await checker.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HostChecker spawns no tool when nothing changed", async () => {
  const dir = await toolDir();
  const checker = new HostChecker(
    { ...DEFAULT_PLUGIN_CONFIG, stateDir: `${dir}/state` },
    new Logger({ sink: () => {} }),
    { path: dir, cgroup: () => Promise.resolve(detectCgroupLayout(PURE_V2)) },
  );
  try {
    await checker.check();
    assert.equal(checker.toolSpawns, 2);
    for (let i = 0; i < 5; i++) await checker.check();
    assert.equal(checker.toolSpawns, 2, "versions come from the cache");
  } finally {
    await checker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
