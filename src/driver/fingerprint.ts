/**
 * The fingerprint: health, the reason in plain words, and node attributes.
 *
 * @module
 */

import type { JavaRuntime } from "../java/default_runtime.ts";
import { errorText } from "../log/logger.ts";
import type { Host } from "./host.ts";
import type { Fingerprint } from "./types.ts";

/** Builds the fingerprint from a prepared host and the Java lookup. */
export function fingerprintHost(
  host: Host,
  java: JavaRuntime | Error,
  version: string,
): Fingerprint {
  const problems = [...host.problems];
  if (java instanceof Error) problems.push(errorText(java));

  const attributes: Fingerprint["attributes"] = {
    "driver.milo.version": version,
    "driver.milo.cgroup": host.cgroup.mode,
  };
  if (host.hybridWorkaround) {
    attributes["driver.milo.cgroup_hybrid_workaround"] = true;
  }
  if (!(java instanceof Error)) {
    attributes["driver.milo.java.home"] = java.home;
    if (java.version) attributes["driver.milo.java.version"] = java.version;
    if (java.vendor) attributes["driver.milo.java.vendor"] = java.vendor;
  }

  if (problems.length === 0) {
    return { health: "healthy", description: "Healthy", attributes };
  }
  return {
    health: "unhealthy",
    description: problems.join("; "),
    attributes,
  };
}
