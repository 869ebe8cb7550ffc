/**
 * Checks that the tools the tests and the demo need are on this machine
 * (crun, conmon, a JDK, Debian's rhino jar) and, as root on a Debian-like
 * system, installs whatever is missing with apt-get.
 *
 * ```sh
 * deno run -A scripts/setup.ts
 * ```
 *
 * Prints one line to stderr; exits 1 when something is missing and cannot
 * be installed, naming the packages and the command to install them.
 *
 * @module
 */

import { delimiter, join } from "node:path";

/** One thing the tests need, and the Debian package that provides it. */
interface Requirement {
  /** What is checked, as printed. */
  name: string;
  /** The Debian package to install when it is missing. */
  pkg: string;
  /** Tells whether it is present. */
  present: () => Promise<boolean>;
}

/** What {@linkcode setup} found and did. */
export interface SetupResult {
  /** Names of the tools that were already present. */
  present: string[];
  /** Debian packages installed by this call. */
  installed: string[];
}

/** Options for {@linkcode setup}. */
export interface SetupOptions {
  /**
   * Whether to install missing packages with apt-get; by default only when
   * running as root.
   */
  install?: boolean;
  /** Called with the packages about to be installed, before apt-get runs. */
  onInstall?: (packages: string[]) => void;
}

const RHINO_JAR = "/usr/share/java/js.jar";
const APT_GET = "apt-get";

const REQUIREMENTS: readonly Requirement[] = [
  { name: "crun", pkg: "crun", present: () => onPath("crun") },
  { name: "conmon", pkg: "conmon", present: () => onPath("conmon") },
  // javac and jar come with java in every JDK package; checking javac too
  // catches a machine with only a JRE, where the test jars cannot be built.
  {
    name: "java",
    pkg: "default-jdk-headless",
    present: async () => await onPath("java") && await onPath("javac"),
  },
  { name: "rhino", pkg: "rhino", present: () => isFile(RHINO_JAR) },
];

/**
 * Makes sure crun, conmon, a JDK (java and javac) and rhino's jar are
 * present, installing the missing ones with apt-get when allowed.
 *
 * @throws {Error} when something is missing and installing is not allowed,
 * or apt-get fails; the message names the packages and the command.
 */
export async function setup(options: SetupOptions = {}): Promise<SetupResult> {
  const install = options.install ?? Deno.uid() === 0;
  const checks = await Promise.all(REQUIREMENTS.map((r) => r.present()));
  const present = REQUIREMENTS.filter((_, i) => checks[i]).map((r) => r.name);
  const missing = REQUIREMENTS.filter((_, i) => !checks[i]);
  if (missing.length === 0) return { present, installed: [] };

  const packages = missing.map((r) => r.pkg);
  const command = `${APT_GET} install -y --no-install-recommends ${
    packages.join(" ")
  }`;
  if (!install) {
    const names = missing.map((r) => r.name).join(", ");
    throw new Error(
      `Cannot set up test tools: missing ${names}; install the Debian ` +
        `package(s) ${packages.join(", ")} as root with: ` +
        `${APT_GET} update && ${command}`,
    );
  }

  options.onInstall?.(packages);
  await apt(["update", "-q"]);
  await apt(["install", "-y", "-q", "--no-install-recommends", ...packages]);

  const still = [];
  for (const requirement of missing) {
    if (!await requirement.present()) still.push(requirement.name);
  }
  if (still.length > 0) {
    throw new Error(
      `Cannot set up test tools: still missing ${
        still.join(", ")
      } after: ${command}`,
    );
  }
  return { present, installed: packages };
}

/** Runs apt-get without prompts, and throws with its output on failure. */
async function apt(args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(APT_GET, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(
      `Cannot set up test tools: cannot run "${APT_GET}" (not Debian?)`,
      { cause: error },
    );
  }
  if (output.success) return;

  const text = new TextDecoder().decode(output.stdout) +
    new TextDecoder().decode(output.stderr);
  throw new Error(
    `Cannot set up test tools: ${APT_GET} ${
      args[0]
    } exited with code ${output.code}: ${text.trim()}`,
  );
}

/** Tells whether an executable named `name` is in a directory of PATH. */
async function onPath(name: string): Promise<boolean> {
  const dirs = (Deno.env.get("PATH") ?? "").split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    try {
      const info = await Deno.stat(join(dir, name));
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch {
      // Not in this directory (or unreadable): try the next one.
    }
  }
  return false;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  try {
    const { present, installed } = await setup({
      onInstall: (packages) =>
        // deno-lint-ignore no-console -- a script's output
        console.error(`setup: installing ${packages.join(", ")} with apt-get`),
    });
    const line = installed.length === 0
      ? `setup: found ${present.join(", ")}`
      : `setup: found ${present.join(", ") || "nothing"}; installed ${
        installed.join(", ")
      }`;
    // deno-lint-ignore no-console -- a script's output
    console.error(line);
  } catch (error) {
    // deno-lint-ignore no-console -- a script's output
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
