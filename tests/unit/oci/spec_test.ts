import assert from "node:assert/strict";
import {
  buildSpec,
  clampCpuShares,
  type ContainerSpecInput,
  DEFAULT_CAPABILITIES,
  type HostLayout,
  type OciMount,
} from "../../../src/oci/mod.ts";

const MERGED_USR: HostLayout = {
  boundDirs: ["/usr", "/etc"],
  symlinks: [
    { path: "/bin", target: "usr/bin" },
    { path: "/sbin", target: "usr/sbin" },
    { path: "/lib", target: "usr/lib" },
    { path: "/lib64", target: "usr/lib64" },
  ],
};

function typicalInput(): ContainerSpecInput {
  return {
    args: [
      "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
      "-Xmx256m",
      "-jar",
      "/local/app.jar",
    ],
    env: { PATH: "/usr/bin:/bin", NOMAD_TASK_NAME: "web", GREETING: "grüß" },
    cwd: "/local",
    user: { uid: 1000, gid: 1000, additionalGids: [27] },
    hostname: "web-1",
    runtimeHome: "/usr/lib/jvm/java-17-openjdk-amd64",
    taskMounts: {
      localDir: "/var/nomad/alloc/a1/web/local",
      secretsDir: "/var/nomad/alloc/a1/web/secrets",
      allocDir: "/var/nomad/alloc/a1/alloc",
    },
    memoryLimitBytes: 268435456,
    memoryReservationBytes: 134217728,
    cpuShares: 500,
    cgroupsPath: "/milo/a1-web",
  };
}

const destinations = (mounts: OciMount[]) => mounts.map((m) => m.destination);

Deno.test("buildSpec() puts kernel, system and task mounts in order", () => {
  const spec = buildSpec(typicalInput(), MERGED_USR);

  assert.deepEqual(destinations(spec.mounts), [
    "/proc",
    "/dev",
    "/dev/pts",
    "/dev/shm",
    "/dev/mqueue",
    "/sys",
    "/sys/fs/cgroup",
    "/tmp",
    "/usr",
    "/etc",
    "/local",
    "/secrets",
    "/alloc",
  ]);
  assert.deepEqual(spec.mounts[8], {
    destination: "/usr",
    type: "bind",
    source: "/usr",
    options: ["rbind", "ro", "nosuid", "nodev"],
  });
  assert.deepEqual(spec.mounts[12], {
    destination: "/alloc",
    type: "bind",
    source: "/var/nomad/alloc/a1/alloc",
    options: ["rbind", "rw", "nosuid", "nodev"],
  });
  assert.deepEqual(spec.mounts[7].options, ["nosuid", "nodev", "mode=1777"]);
});

Deno.test("buildSpec() fills the process from the task", () => {
  const { process } = buildSpec(typicalInput(), MERGED_USR);

  assert.equal(process.terminal, false);
  assert.deepEqual(process.args, typicalInput().args);
  assert.deepEqual(process.env, [
    "PATH=/usr/bin:/bin",
    "NOMAD_TASK_NAME=web",
    "GREETING=grüß",
  ]);
  assert.equal(process.cwd, "/local");
  assert.deepEqual(process.user, {
    uid: 1000,
    gid: 1000,
    additionalGids: [27],
  });
  assert.equal(process.noNewPrivileges, true);
  assert.deepEqual(process.rlimits, []);
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.deepEqual(process.capabilities.bounding, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(process.capabilities.effective, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(process.capabilities.permitted, [...DEFAULT_CAPABILITIES]);
  assert.equal(process.capabilities.ambient, undefined);
});

Deno.test("buildSpec() sets root, namespaces, cgroup and resources", () => {
  const spec = buildSpec(typicalInput(), MERGED_USR);

  assert.equal(spec.ociVersion, "1.0.2");
  assert.deepEqual(spec.root, { path: "rootfs", readonly: true });
  assert.equal(spec.hostname, "web-1");
  assert.deepEqual(spec.linux.namespaces, [
    { type: "pid" },
    { type: "mount" },
    { type: "ipc" },
    { type: "uts" },
  ]);
  assert.equal(spec.linux.cgroupsPath, "/milo/a1-web");
  assert.deepEqual(spec.linux.resources, {
    devices: [{ allow: false, access: "rwm" }],
    memory: { limit: 268435456, reservation: 134217728 },
    cpu: { shares: 500 },
  });
  assert.ok(spec.linux.maskedPaths.includes("/proc/kcore"));
  assert.ok(spec.linux.readonlyPaths.includes("/proc/sys"));
});

Deno.test("buildSpec() leaves out limits that are not given", () => {
  const input = typicalInput();
  delete input.memoryLimitBytes;
  delete input.memoryReservationBytes;
  delete input.cpuShares;

  const spec = buildSpec(input, MERGED_USR);

  assert.deepEqual(spec.linux.resources, {
    devices: [{ allow: false, access: "rwm" }],
  });
});

Deno.test("buildSpec() sets RLIMIT_NOFILE only when asked to", () => {
  const spec = buildSpec(
    { ...typicalInput(), openFilesLimit: 65536 },
    MERGED_USR,
  );

  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 65536, soft: 65536 },
  ]);
});

Deno.test("buildSpec() clamps CPU shares to the kernel's range", async (t) => {
  const rows: [number, number][] = [[0, 2], [1, 2], [100, 100], [
    1_000_000,
    262144,
  ], [99.6, 100]];
  for (const [given, expected] of rows) {
    await t.step(`${given} becomes ${expected}`, () => {
      const spec = buildSpec(
        { ...typicalInput(), cpuShares: given },
        MERGED_USR,
      );
      assert.equal(spec.linux.resources.cpu?.shares, expected);
      assert.equal(clampCpuShares(given), expected);
    });
  }
});

Deno.test("buildSpec() does not bind a runtime home under /usr twice", () => {
  const spec = buildSpec(typicalInput(), MERGED_USR);

  const binds = spec.mounts.filter((m) => m.type === "bind");
  assert.deepEqual(destinations(binds), [
    "/usr",
    "/etc",
    "/local",
    "/secrets",
    "/alloc",
  ]);
});

Deno.test("buildSpec() binds a runtime home under /opt read-only", () => {
  const input = { ...typicalInput(), runtimeHome: "/opt/jdk-21" };

  const spec = buildSpec(input, MERGED_USR);

  assert.deepEqual(spec.mounts[10], {
    destination: "/opt/jdk-21",
    type: "bind",
    source: "/opt/jdk-21",
    options: ["rbind", "ro", "nosuid", "nodev"],
  });
  assert.equal(spec.mounts[11].destination, "/local");
});

Deno.test("buildSpec() binds real /bin and /lib dirs of a split-usr host", () => {
  const layout: HostLayout = {
    boundDirs: ["/usr", "/etc", "/bin", "/lib"],
    symlinks: [],
  };

  const spec = buildSpec(typicalInput(), layout);

  const binds = spec.mounts.filter((m) => m.options?.includes("ro"));
  assert.deepEqual(destinations(binds).slice(-4), [
    "/usr",
    "/etc",
    "/bin",
    "/lib",
  ]);
});

Deno.test("buildSpec() returns specs that share no objects", () => {
  const first = buildSpec(typicalInput(), MERGED_USR);
  first.mounts[0].options = ["changed"];
  first.process.capabilities.bounding.pop();

  const second = buildSpec(typicalInput(), MERGED_USR);

  assert.equal(second.mounts[0].options, undefined);
  assert.equal(second.process.capabilities.bounding.length, 14);
});

Deno.test("buildSpec() rejects input that cannot make a valid spec", async (t) => {
  const cases: [string, Partial<ContainerSpecInput>, RegExp][] = [
    ["empty argv", { args: [] }, /argv is empty/],
    [
      "relative java",
      { args: ["java"] },
      /args\[0\] "java" is not an absolute/,
    ],
    ["relative cwd", { cwd: "local" }, /cwd "local"/],
    ["env name with =", { env: { "A=B": "c" } }, /"A=B" has an invalid name/],
    ["zero memory", { memoryLimitBytes: 0 }, /memoryLimitBytes "0"/],
    ["negative uid", { user: { uid: -1, gid: 0 } }, /user id "-1"/],
  ];
  for (const [name, change, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => buildSpec({ ...typicalInput(), ...change }, MERGED_USR),
        (error: Error) =>
          /^Cannot build spec: /.test(error.message) &&
          message.test(error.message),
      );
    });
  }
});
