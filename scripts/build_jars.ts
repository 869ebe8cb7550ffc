/**
 * Builds the Java test and demo programs in `tests/fixtures/java/` into
 * jars, one per program, with `javac --release 17` (so JDK 17 and newer run
 * them) and `jar`.
 *
 * Run as a script to build them all and print one `name path` line each:
 *
 * ```sh
 * deno run -A scripts/build_jars.ts [OUT_DIR]
 * ```
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES_DIR = join(REPO_ROOT, "tests", "fixtures", "java");
const DEFAULT_OUT_DIR = join(REPO_ROOT, ".cache", "jars");
// A change to how jars are built (a main class, a javac flag) must rebuild
// them too, so this file counts as a source of every jar.
const THIS_FILE = fileURLToPath(import.meta.url);
// javac on a few small files spends its time warming up the JVM: the C1
// compiler alone and the serial GC make it about 40 % faster and halve its
// CPU time (measured with JDK 17 on 2 cores), which matters when several
// test processes build at once.
const JAVAC_JVM_FLAGS = ["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"];

/**
 * The fixture programs: directory name under `tests/fixtures/java/` (and
 * jar name) to the class written as Main-Class into the manifest, or null
 * for a jar without one (started with an explicit class and class path).
 */
export const JAR_MAIN_CLASSES: Readonly<Record<string, string | null>> = {
  hello: "Hello",
  echoargs: "EchoArgs",
  exitcode: "ExitCode",
  sleeper: "Sleeper",
  stderrer: "Stderrer",
  catfile: "CatFile",
  flood: "Flood",
  memhog: "MemHog",
  "greeter-lib": null,
};

/**
 * Builds every fixture jar into `outDir` and returns the absolute path of
 * each, by program name. A jar newer than all its sources is kept as is.
 *
 * Safe to call from several processes at once: each build happens in its
 * own temporary directory and the finished jar is renamed into place, so a
 * reader never sees a half-written jar.
 *
 * @param outDir where the jars go; `<repo>/.cache/jars` by default.
 * @returns program name to absolute jar path.
 * @throws {Error} when a program has no sources, or `javac` or `jar` is
 * missing or fails (the message carries the tool's output).
 */
export async function buildJars(
  outDir: string = DEFAULT_OUT_DIR,
): Promise<Record<string, string>> {
  const dir = resolve(outDir);
  await Deno.mkdir(dir, { recursive: true });

  const entries = Object.entries(JAR_MAIN_CLASSES);
  const paths = await Promise.all(
    entries.map(([name, mainClass]) => buildJar(name, mainClass, dir)),
  );

  return Object.fromEntries(entries.map(([name], i) => [name, paths[i]]));
}

async function buildJar(
  name: string,
  mainClass: string | null,
  outDir: string,
): Promise<string> {
  const jar = join(outDir, `${name}.jar`);
  const sourceDir = join(FIXTURES_DIR, name);
  const sources = await listSources(sourceDir);
  if (sources.length === 0) {
    throw new Error(
      `Cannot build jar "${name}": no .java files in "${sourceDir}"`,
    );
  }
  if (await isNewerThan(jar, [...sources, THIS_FILE])) return jar;

  const work = await Deno.makeTempDir({ dir: outDir, prefix: `.${name}-` });
  try {
    const classes = join(work, "classes");
    const built = join(work, `${name}.jar`);
    await runTool(name, "javac", [
      ...JAVAC_JVM_FLAGS,
      "--release",
      "17",
      "-encoding",
      "UTF-8",
      "-d",
      classes,
      ...sources,
    ]);
    await runTool(name, "jar", [
      "--create",
      "--file",
      built,
      ...(mainClass === null ? [] : ["--main-class", mainClass]),
      "-C",
      classes,
      ".",
    ]);
    await Deno.rename(built, jar);
  } finally {
    await Deno.remove(work, { recursive: true });
  }

  return jar;
}

/** Lists the `.java` files under `dir`, recursively, sorted. */
async function listSources(dir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) found.push(...await listSources(path));
      else if (entry.isFile && entry.name.endsWith(".java")) found.push(path);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return found.sort();
}

/** Tells whether `target` exists and is newer than every file of `inputs`. */
async function isNewerThan(
  target: string,
  inputs: string[],
): Promise<boolean> {
  let targetTime: number;
  try {
    targetTime = (await Deno.stat(target)).mtime?.getTime() ?? 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }

  for (const input of inputs) {
    const inputTime = (await Deno.stat(input)).mtime?.getTime() ?? Infinity;
    if (inputTime >= targetTime) return false;
  }
  return true;
}

/**
 * Runs a JDK tool, from `$JAVA_HOME/bin` when JAVA_HOME is set, otherwise
 * from PATH, and throws with its output when it fails.
 */
async function runTool(
  jarName: string,
  tool: string,
  args: string[],
): Promise<void> {
  const javaHome = Deno.env.get("JAVA_HOME");
  const command = javaHome ? join(javaHome, "bin", tool) : tool;

  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(
      `Cannot build jar "${jarName}": cannot run "${command}" (install a JDK)`,
      { cause: error },
    );
  }
  if (output.success) return;

  const text = new TextDecoder().decode(output.stderr).trim() ||
    new TextDecoder().decode(output.stdout).trim();
  throw new Error(
    `Cannot build jar "${jarName}": ${tool} exited with code ${output.code}: ${text}`,
  );
}

if (import.meta.main) {
  try {
    const jars = await buildJars(Deno.args[0]);
    for (const [name, path] of Object.entries(jars)) {
      // deno-lint-ignore no-console -- a script's output
      console.log(`${name} ${path}`);
    }
  } catch (error) {
    // deno-lint-ignore no-console -- a script's output
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
