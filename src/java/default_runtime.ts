/**
 * Finds the host's default Java runtime: `JAVA_HOME`, else `java` on PATH,
 * resolved through symlinks to its real home.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { parseRelease } from "./release_file.ts";

/** A Java installation on the host. */
export interface JavaRuntime {
  /** Real path of the home (symlinks resolved). */
  home: string;
  /** Absolute path of `bin/java` under the home. */
  java: string;
  /** JAVA_VERSION from the release file, when present. */
  version?: string;
  /** IMPLEMENTOR from the release file, when present. */
  vendor?: string;
}

/** Thrown when no Java runtime can be found; the message says where Milo looked. */
export class JavaNotFoundError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JavaNotFoundError";
  }
}

/**
 * Locates the default runtime from an environment (`JAVA_HOME`, `PATH`).
 *
 * @throws {JavaNotFoundError} listing the places searched.
 */
export async function findDefaultRuntime(
  env: Record<string, string | undefined>,
): Promise<JavaRuntime> {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, "bin", "java"));
  for (const dir of (env.PATH ?? "").split(":").filter(Boolean)) {
    candidates.push(join(dir, "java"));
  }

  for (const candidate of candidates) {
    const runtime = await inspect(candidate);
    if (runtime) return runtime;
  }
  throw new JavaNotFoundError(
    "Cannot find a Java runtime: no executable java in " +
      `JAVA_HOME="${env.JAVA_HOME ?? ""}" or PATH="${env.PATH ?? ""}"; ` +
      "install a JDK (apt-get install default-jdk-headless) or set JAVA_HOME",
  );
}

async function inspect(candidate: string): Promise<JavaRuntime | undefined> {
  let java: string;
  try {
    java = await Deno.realPath(candidate);
    const info = await Deno.stat(java);
    if (!info.isFile || ((info.mode ?? 0) & 0o111) === 0) return undefined;
  } catch {
    return undefined;
  }
  const home = dirname(dirname(java));
  const release = await Deno.readTextFile(join(home, "release"))
    .then(parseRelease)
    .catch(() => ({} as Record<string, string>));
  return {
    home,
    java,
    version: release.JAVA_VERSION,
    vendor: release.IMPLEMENTOR,
  };
}
