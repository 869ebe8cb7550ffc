/**
 * Tells what runtime lives at one home: from its `release` file, with a
 * java probe only where the file is missing or incomplete.
 *
 * @module
 */

import { join } from "node:path";
import { containerAwareness } from "./container_awareness.ts";
import type { BrokenRuntime, JavaRuntime } from "./java_runtime.ts";
import { type JavaVersion, parseJavaVersion } from "./java_version.ts";
import { parseProbeOutput, type ProbeFacts } from "./probe_output.ts";
import { parseRelease } from "./release_file.ts";
import { type Probe, probeWithTimeout } from "./run_probe.ts";
import type { Timers } from "../fs/timers.ts";

/** How to probe a home whose `release` file does not say enough. */
export interface InspectOptions {
  /** Runs java; see {@linkcode Probe}. */
  probe: Probe;
  /** Deadline of one probe run. */
  probeTimeoutMs: number;
  /** Timers for the deadline. */
  timers: Timers;
}

/** A working runtime with the release file's mtime (null: no file). */
export type Inspected =
  | { ok: true; runtime: JavaRuntime; releaseMtime: number | null }
  | { ok: false; broken: BrokenRuntime };

/**
 * Inspects the runtime at a real home. Never throws: every failure comes
 * back as a {@linkcode BrokenRuntime} with its reason. `aliases` is left
 * empty for the caller to fill.
 */
export async function inspectHome(
  home: string,
  options: InspectOptions,
): Promise<Inspected> {
  const java = join(home, "bin", "java");
  const broken = (reason: string): Inspected => ({
    ok: false,
    broken: { home, reason },
  });

  const problem = await executableProblem(java);
  if (problem) return broken(problem);

  const { fields, mtime } = await readRelease(home);
  let facts = releaseFacts(fields);
  let source: JavaRuntime["source"] = "release";
  if (!isComplete(facts)) {
    try {
      const output = await probeWithTimeout(
        options.probe,
        java,
        options.probeTimeoutMs,
        options.timers,
      );
      facts = { ...parseProbeOutput(output), ...facts };
      source = "probe";
    } catch (error) {
      return broken(`probe of "${java}" failed: ${message(error)}`);
    }
  }

  const version = tryParse(facts.version);
  if (!version) {
    return broken(`cannot parse the version "${facts.version ?? ""}"`);
  }
  const runtime = await build(home, java, version, facts, source);
  return { ok: true, runtime, releaseMtime: mtime };
}

async function build(
  home: string,
  java: string,
  version: JavaVersion,
  facts: ProbeFacts,
  source: JavaRuntime["source"],
): Promise<JavaRuntime> {
  const javac = await Deno.stat(join(home, "bin", "javac")).catch(() => null);
  const runtime: JavaRuntime = {
    home,
    java,
    aliases: [],
    version,
    vendor: facts.vendor ?? "unknown",
    kind: javac?.isFile ? "jdk" : "jre",
    arch: normalizeArch(facts.arch ?? "unknown"),
    containerAware: containerAwareness(version),
    source,
  };
  if (facts.vendorVersion) runtime.vendorVersion = facts.vendorVersion;
  return runtime;
}

async function executableProblem(java: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(java);
    if (!info.isFile) return `"${java}" is not a file`;
    if (((info.mode ?? 0) & 0o111) === 0) {
      return `"${java}" is not executable`;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "no bin/java";
    return `cannot stat "${java}": ${message(error)}`;
  }
}

async function readRelease(home: string) {
  const path = join(home, "release");
  try {
    const [text, info] = await Promise.all([
      Deno.readTextFile(path),
      Deno.stat(path),
    ]);
    return { fields: parseRelease(text), mtime: info.mtime?.getTime() ?? 0 };
  } catch {
    return { fields: {} as Record<string, string>, mtime: null };
  }
}

function releaseFacts(fields: Record<string, string>): ProbeFacts {
  const facts: ProbeFacts = {};
  const version = fields.JAVA_RUNTIME_VERSION || fields.JAVA_VERSION;
  // A corrupt version must not shadow the probe's answer.
  if (tryParse(version)) facts.version = version;
  if (fields.IMPLEMENTOR) facts.vendor = fields.IMPLEMENTOR;
  if (fields.IMPLEMENTOR_VERSION) {
    facts.vendorVersion = fields.IMPLEMENTOR_VERSION;
  }
  if (fields.OS_ARCH) facts.arch = fields.OS_ARCH;
  return facts;
}

function isComplete(facts: ProbeFacts): boolean {
  return Boolean(facts.version && facts.vendor && facts.arch);
}

function tryParse(text?: string): JavaVersion | undefined {
  if (!text) return undefined;
  try {
    return parseJavaVersion(text);
  } catch {
    return undefined;
  }
}

// The JVM's os.arch says "amd64" where release files say "x86_64".
function normalizeArch(arch: string): string {
  return arch === "amd64" ? "x86_64" : arch;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
