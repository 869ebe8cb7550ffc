/**
 * The record kept for each Java installation found on the host.
 *
 * @module
 */

import type { ContainerAwareness } from "./container_awareness.ts";
import { formatJavaVersion, type JavaVersion } from "./java_version.ts";

/** A working Java installation. */
export interface JavaRuntime {
  /** Real path of the home, symlinks resolved; the identity of a runtime. */
  home: string;
  /** `bin/java` under the real home. */
  java: string;
  /**
   * Every path it was found under, sorted: homes as listed (symlinks
   * included) and, for the `java` found on PATH, that executable's path.
   */
  aliases: string[];
  /** JAVA_RUNTIME_VERSION (else JAVA_VERSION), parsed. */
  version: JavaVersion;
  /** IMPLEMENTOR or java.vendor; "unknown" when neither is known. */
  vendor: string;
  /** IMPLEMENTOR_VERSION or java.vendor.version, when present. */
  vendorVersion?: string;
  /** "jdk" when `bin/javac` exists, else "jre". */
  kind: "jdk" | "jre";
  /** OS_ARCH spelling: "x86_64", "aarch64" (the JVM's "amd64" is mapped). */
  arch: string;
  /** Whether the JVM honours cgroup v1 / v2 container limits. */
  containerAware: ContainerAwareness;
  /** Where the facts came from: the `release` file alone, or a java run. */
  source: "release" | "probe";
}

/** A home that looks like a runtime but cannot be used. */
export interface BrokenRuntime {
  /** The home, real path where it resolves. */
  home: string;
  /** Why it is unusable ("no bin/java", "probe timed out after 10000 ms"). */
  reason: string;
}

/**
 * One line for people: `25.0.3 (Eclipse Adoptium) at
 * /usr/lib/jvm/temurin-25-jdk-amd64`, with ", JRE" for runtimes without
 * javac.
 */
export function describeRuntime(runtime: JavaRuntime): string {
  const kind = runtime.kind === "jre" ? ", JRE" : "";
  return `${formatJavaVersion(runtime.version)} (${runtime.vendor}${kind}) ` +
    `at ${runtime.home}`;
}

/** Everything one detection found. */
export interface Inventory {
  /** Working runtimes, newest first (see `compareRuntimes`). */
  runtimes: JavaRuntime[];
  /** Homes that looked like runtimes but are unusable. */
  broken: BrokenRuntime[];
  /** Every root and explicit path looked at. */
  searched: string[];
  /** When the detection finished, on the detector's clock (ms). */
  checkedAt: number;
}
