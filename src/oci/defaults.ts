/**
 * Constant parts of every Milo spec: capabilities, kernel file systems and
 * the paths the OCI default configuration masks.
 *
 * @module
 */

import type { OciMount } from "./types.ts";

/**
 * Nomad's default capability set for its exec and java drivers, which is
 * Docker's default: 14 capabilities, without CAP_NET_ADMIN or CAP_SYS_ADMIN.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  "CAP_AUDIT_WRITE",
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_MKNOD",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_RAW",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
]);

/**
 * The highest RLIMIT_NOFILE the kernel allows by default (`fs.nr_open`), a
 * sensible value for `openFilesLimit` on hosts that grant CAP_SYS_RESOURCE.
 */
export const MAX_OPEN_FILES = 1048576;

/** Namespaces every container gets; the network stays the host's. */
export const DEFAULT_NAMESPACES: readonly string[] = Object.freeze([
  "pid",
  "mount",
  "ipc",
  "uts",
]);

/**
 * Kernel file systems mounted before any bind, in order. `/tmp` is a fresh
 * tmpfs because the JVM writes its hsperfdata there.
 */
export const KERNEL_MOUNTS: readonly OciMount[] = Object.freeze([
  { destination: "/proc", type: "proc", source: "proc" },
  {
    destination: "/dev",
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
  },
  {
    destination: "/dev/pts",
    type: "devpts",
    source: "devpts",
    options: [
      "nosuid",
      "noexec",
      "newinstance",
      "ptmxmode=0666",
      "mode=0620",
      "gid=5",
    ],
  },
  {
    destination: "/dev/shm",
    type: "tmpfs",
    source: "shm",
    options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
  },
  {
    destination: "/dev/mqueue",
    type: "mqueue",
    source: "mqueue",
    options: ["nosuid", "noexec", "nodev"],
  },
  {
    destination: "/sys",
    type: "sysfs",
    source: "sysfs",
    options: ["nosuid", "noexec", "nodev", "ro"],
  },
  {
    destination: "/sys/fs/cgroup",
    type: "cgroup",
    source: "cgroup",
    options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
  },
  {
    destination: "/tmp",
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "nodev", "mode=1777"],
  },
]);

/** Options of the read-only binds of host directories. */
export const READONLY_BIND_OPTIONS: readonly string[] = Object.freeze([
  "rbind",
  "ro",
  "nosuid",
  "nodev",
]);

/** Options of the writable binds of Nomad's task directories. */
export const WRITABLE_BIND_OPTIONS: readonly string[] = Object.freeze([
  "rbind",
  "rw",
  "nosuid",
  "nodev",
]);

/** Paths the OCI default configuration (`crun spec`) hides. */
export const MASKED_PATHS: readonly string[] = Object.freeze([
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
]);

/** Paths the OCI default configuration (`crun spec`) makes read-only. */
export const READONLY_PATHS: readonly string[] = Object.freeze([
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
]);

/** The kernel's accepted range for cgroup v1 `cpu.shares`. */
export const CPU_SHARES_RANGE = Object.freeze({ min: 2, max: 262144 });
