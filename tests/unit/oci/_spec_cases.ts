/**
 * Spec inputs covering what a spec carries: mounts on merged-/usr and
 * split-/usr hosts, a runtime under /usr and under /opt, environment,
 * users with extra groups, memory and CPU limits or none, rlimits.
 * Paths are rooted at `root`, so the crun check can point them at real
 * directories while the golden files use fixed ones.
 *
 * @module
 */

import type { ContainerSpecInput, HostLayout } from "../../../src/oci/mod.ts";

/** Debian 12: /bin, /sbin, /lib, /lib64 are symlinks into /usr. */
export const MERGED_USR: HostLayout = {
  boundDirs: ["/usr", "/etc"],
  symlinks: [
    { path: "/bin", target: "usr/bin" },
    { path: "/sbin", target: "usr/sbin" },
    { path: "/lib", target: "usr/lib" },
    { path: "/lib64", target: "usr/lib64" },
  ],
};

/** CentOS 7 style: real /bin, /sbin, /lib, /lib64. */
export const SPLIT_USR: HostLayout = {
  boundDirs: ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64"],
  symlinks: [],
};

/** One named case: its layout and its input. */
export interface SpecCase {
  name: string;
  layout: HostLayout;
  input: ContainerSpecInput;
}

/**
 * The cases. `alloc` is the allocation's host dir and `opt` a runtime
 * home outside /usr; `jdk` a runtime home under /usr.
 */
export function specCases(
  paths: { alloc: string; jdk: string; opt: string } = {
    alloc: "/var/nomad/alloc/5b1e",
    jdk: "/usr/lib/jvm/java-17-openjdk-amd64",
    opt: "/opt/jdk-21",
  },
): SpecCase[] {
  const { alloc, jdk, opt } = paths;
  const taskMounts = {
    localDir: `${alloc}/web/local`,
    secretsDir: `${alloc}/web/secrets`,
    allocDir: `${alloc}/alloc`,
  };
  const base: ContainerSpecInput = {
    args: [`${jdk}/bin/java`, "-XX:MaxRAM=268435456", "-jar", "/local/app.jar"],
    env: {
      PATH: `${jdk}/bin:/usr/bin:/bin`,
      JAVA_HOME: jdk,
      LANG: "C.UTF-8",
      NOMAD_TASK_DIR: "/local",
      GREETING: 'grüß "dich" $HOME',
    },
    cwd: "/",
    user: { uid: 65534, gid: 65534 },
    hostname: "web-5b1e",
    runtimeHome: jdk,
    taskMounts,
    memoryLimitBytes: 268435456,
    cpuShares: 500,
    cgroupsPath: "/milo/5b1e-web",
  };
  return [
    { name: "merged-usr", layout: MERGED_USR, input: base },
    {
      name: "split-usr-opt-runtime",
      layout: SPLIT_USR,
      input: {
        ...base,
        args: [`${opt}/bin/java`, "-cp", "/local/lib/*", "com.example.Main"],
        env: { ...base.env, JAVA_HOME: opt },
        runtimeHome: opt,
        cwd: "/local",
      },
    },
    {
      name: "limits-groups-rlimit",
      layout: MERGED_USR,
      input: {
        ...base,
        user: { uid: 1000, gid: 1000, additionalGids: [27, 100] },
        memoryLimitBytes: 1073741824,
        memoryReservationBytes: 536870912,
        cpuShares: 1,
        openFilesLimit: 1024,
      },
    },
    {
      name: "no-limits",
      layout: MERGED_USR,
      input: {
        ...base,
        memoryLimitBytes: undefined,
        cpuShares: undefined,
        env: {},
        args: [`${jdk}/bin/java`, "-version"],
      },
    },
  ];
}
