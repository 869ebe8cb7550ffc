/**
 * Whether a JVM sizes its heap and CPU count from the container's cgroup
 * limits rather than the host's.
 *
 * @module
 */

import type { JavaVersion } from "./java_version.ts";

/** Container awareness of one runtime, per cgroup version. */
export interface ContainerAwareness {
  /** Reads cgroup v1 limits: JDK 10+, or 8u191+ (JDK-8146115). */
  v1: boolean;
  /**
   * Reads cgroup v2 limits: JDK 15+ (JDK-8230305), backported to 11.0.16
   * and 8u372; 12 to 14 never got it.
   */
  v2: boolean;
}

/** Tells whether a runtime of this version honours cgroup v1 and v2 limits. */
export function containerAwareness(version: JavaVersion): ContainerAwareness {
  const { feature, update } = version;
  return {
    v1: feature >= 10 || (feature === 8 && update >= 191),
    v2: feature >= 15 || (feature === 11 && update >= 16) ||
      (feature === 8 && update >= 372),
  };
}
