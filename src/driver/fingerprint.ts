/**
 * The fingerprint: health, the reason in plain words, and node attributes.
 *
 * @module
 */

import {
  formatJavaVersion,
  type Inventory,
  type JavaRuntime,
  matchesConstraint,
  parseConstraint,
} from "../java/mod.ts";
import { errorText } from "../log/logger.ts";
import type { Host } from "./host.ts";
import type { Fingerprint } from "./types.ts";

/**
 * Builds the fingerprint from a prepared host and the Java inventory (or
 * the error that prevented one). `defaultVersion` is the plugin's
 * default_java_version, if any.
 */
export function fingerprintHost(
  host: Host,
  java: Inventory | Error,
  version: string,
  defaultVersion?: string,
): Fingerprint {
  const problems = [...host.problems];
  const attributes: Record<string, string | boolean | undefined> = {
    "driver.milo.version": version,
    "driver.milo.cgroup.version": cgroupVersion(host),
    "driver.milo.cgroup.mode": host.cgroup.mode === "none"
      ? undefined
      : host.cgroup.mode,
    "driver.milo.crun.version": host.crun?.version,
    "driver.milo.crun.path": host.crun?.path,
    "driver.milo.conmon.version": host.conmon?.version,
    "driver.milo.conmon.path": host.conmon?.path,
  };
  if (host.hybridWorkaround) {
    attributes["driver.milo.cgroup_hybrid_workaround"] = true;
  }

  if (java instanceof Error) {
    problems.push(errorText(java));
  } else if (java.runtimes.length === 0) {
    problems.push(noJavaProblem(java));
  } else {
    Object.assign(attributes, javaAttributes(java, defaultVersion));
  }

  const present: Fingerprint["attributes"] = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== "") present[key] = value;
  }
  if (host.undetected) problems.unshift(host.undetected);
  if (problems.length === 0) {
    return {
      health: "healthy",
      description: "Healthy",
      problems,
      attributes: present,
    };
  }
  return {
    health: host.undetected ? "undetected" : "unhealthy",
    description: problems.join("; "),
    problems,
    attributes: present,
  };
}

/**
 * The cgroup version task limits use: "2" on a unified host, "1" on a
 * legacy or hybrid one (crun applies v1 controllers there).
 */
function cgroupVersion(host: Host): string | undefined {
  switch (host.cgroup.mode) {
    case "v2":
      return "2";
    case "v1":
    case "hybrid":
      return "1";
    default:
      return undefined;
  }
}

/**
 * Attributes jobs can constrain on: every version, the default one, and
 * per feature version (the newest of it) its home, full version and
 * vendor, e.g. `driver.milo.java.17.version = "17.0.15"`.
 */
export function javaAttributes(
  inventory: Inventory,
  defaultVersion?: string,
): Record<string, string> {
  const attributes: Record<string, string> = {
    "driver.milo.java.versions": inventory.runtimes
      .map((runtime) => formatJavaVersion(runtime.version)).join(","),
  };
  const fallback = defaultRuntime(inventory.runtimes, defaultVersion);
  if (fallback) {
    attributes["driver.milo.java.default"] = formatJavaVersion(
      fallback.version,
    );
  }
  for (const runtime of [...inventory.runtimes].reverse()) {
    const prefix = `driver.milo.java.${runtime.version.feature}`;
    attributes[`${prefix}.home`] = runtime.home;
    attributes[`${prefix}.version`] = formatJavaVersion(runtime.version);
    attributes[`${prefix}.vendor`] = runtime.vendor;
  }
  return attributes;
}

function defaultRuntime(
  runtimes: JavaRuntime[],
  defaultVersion?: string,
): JavaRuntime | undefined {
  if (!defaultVersion) return runtimes[0];
  try {
    const constraint = parseConstraint(defaultVersion);
    return runtimes.find((runtime) =>
      matchesConstraint(runtime.version, constraint)
    );
  } catch {
    return undefined;
  }
}

function noJavaProblem(inventory: Inventory): string {
  const broken = inventory.broken.map((b) => `${b.home} (${b.reason})`);
  return `no Java runtime found (looked in ${inventory.searched.join(", ")}` +
    (broken.length ? `, broken runtimes: ${broken.join(", ")}` : "") +
    "): install a JDK (apt-get install default-jdk-headless) or set " +
    "java_search_paths or java_homes in the plugin config";
}
