/**
 * Keeps the JVM's heap inside the task's memory limit. A container-aware
 * runtime reads the limit from its cgroup; an older one sizes its heap from
 * the host's RAM (hashicorp/nomad#18920), so Milo passes the limit as
 * -XX:MaxRAM unless the task's jvm_options size the heap themselves.
 *
 * @module
 */

import { describeRuntime, type JavaRuntime } from "../java/mod.ts";

/** JVM options that decide the heap size; Milo adds none next to these. */
const HEAP_OPTION =
  /^-(Xmx|XX:MaxHeapSize=|XX:MaxRAM=|XX:MaxRAMPercentage=|XX:MaxRAMFraction=)/;

/** What to add to the JVM's options, and what to tell the user. */
export interface HeapSizing {
  jvmOptions: string[];
  warning?: string;
}

/**
 * Decides the heap options for `runtime` under a memory limit on a host
 * whose containers see cgroup version `cgroupVersion`.
 */
export function heapSizing(
  runtime: JavaRuntime,
  jvmOptions: readonly string[],
  memoryLimitBytes: number | undefined,
  cgroupVersion: 1 | 2,
): HeapSizing {
  const aware = cgroupVersion === 2
    ? runtime.containerAware.v2
    : runtime.containerAware.v1;
  if (aware || !memoryLimitBytes) return { jvmOptions: [] };

  const old = `Java ${describeRuntime(runtime)} cannot read cgroup ` +
    `v${cgroupVersion} memory limits`;
  if (jvmOptions.some((option) => HEAP_OPTION.test(option))) {
    return {
      jvmOptions: [],
      warning: `${old}; the task's jvm_options size its heap`,
    };
  }
  return {
    jvmOptions: [`-XX:MaxRAM=${memoryLimitBytes}`],
    warning: `${old}; passing -XX:MaxRAM=${memoryLimitBytes} so its heap ` +
      "fits the task's memory",
  };
}
