/**
 * Picks the runtime for a task from an inventory.
 *
 * @module
 */

import { compareJavaVersions } from "./java_version.ts";
import {
  describeRuntime,
  type Inventory,
  type JavaRuntime,
} from "./java_runtime.ts";
import {
  matchesConstraint,
  parseConstraint,
  type VersionConstraint,
} from "./version_constraint.ts";

/** What a task asks for; every field optional. */
export interface RuntimeRequest {
  /** The task's `java_version` constraint text. */
  javaVersion?: string;
  /** The task's explicit `java_home`. */
  javaHome?: string;
  /** The plugin's `default_java_version`, used when javaVersion is unset. */
  defaultVersion?: string;
}

/**
 * Thrown when no runtime satisfies a task. `constraint` is what was asked
 * (`java_version "21"` or `java_home "/opt/jdk"`); `installed` lists
 * every working runtime with {@linkcode describeRuntime}.
 */
export class NoMatchingRuntimeError extends Error {
  /** What the task asked for. */
  readonly constraint: string;
  /** One line per installed runtime. */
  readonly installed: string[];

  /**
   * Builds `Cannot find a Java runtime for <constraint>: <reason>, then
   * the listing and the fix.
   */
  constructor(
    constraint: string,
    installed: string[],
    options?: ErrorOptions & { reason?: string; fix?: string },
  ) {
    const listing = installed.length > 0
      ? `installed are ${installed.join(", ")}`
      : "no Java runtime is installed";
    const reason = options?.reason ? `${options.reason}; ` : "";
    const fix = options?.fix ?? "install one or change java_version";
    super(
      `Cannot find a Java runtime for ${constraint}: ${reason}${listing}; ` +
        fix,
      options,
    );
    this.name = "NoMatchingRuntimeError";
    this.constraint = constraint;
    this.installed = installed;
  }
}

/**
 * Orders runtimes newest first. Equal versions: a JDK before a JRE (a
 * task may need javac or jcmd, and a JDK runs everything a JRE runs),
 * then by home path so the choice is stable.
 */
export function compareRuntimes(a: JavaRuntime, b: JavaRuntime): number {
  return compareJavaVersions(b.version, a.version) ||
    (a.kind === b.kind ? 0 : a.kind === "jdk" ? -1 : 1) ||
    (a.home < b.home ? -1 : a.home > b.home ? 1 : 0);
}

/** The constraint a request applies: its own, else the default, else none. */
export function requestConstraint(
  request: RuntimeRequest,
): VersionConstraint | undefined {
  const text = request.javaVersion || request.defaultVersion;
  return text ? parseConstraint(text) : undefined;
}

/**
 * The first (newest) runtime of a sorted list that satisfies the
 * constraint; no constraint takes the newest.
 */
export function pickRuntime(
  runtimes: readonly JavaRuntime[],
  constraint?: VersionConstraint,
): JavaRuntime | undefined {
  if (!constraint) return runtimes[0];
  return runtimes.find((r) => matchesConstraint(r.version, constraint));
}

/** The error for a version nothing in the inventory satisfies. */
export function noMatch(
  inventory: Inventory,
  constraint: VersionConstraint | undefined,
): NoMatchingRuntimeError {
  const asked = constraint ? `java_version "${constraint.text}"` : "the task";
  return new NoMatchingRuntimeError(
    asked,
    inventory.runtimes.map(describeRuntime),
  );
}

/** The error for a task `java_home` that is not a usable runtime. */
export function badHome(
  inventory: Inventory,
  home: string,
  reason: string,
): NoMatchingRuntimeError {
  return new NoMatchingRuntimeError(
    `java_home "${home}"`,
    inventory.runtimes.map(describeRuntime),
    { reason, fix: "point java_home at a JDK or JRE home, or remove it" },
  );
}
