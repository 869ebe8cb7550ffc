/**
 * The main job for a new user: builds the sample app from the Java source
 * in tests/fixtures/java/hello, runs it through the Milo plugin in a crun
 * container with `milo run`, then runs a real third-party program the same
 * way: Rhino's js.jar (Debian's `rhino` package) evaluating a small script.
 *
 * ```sh
 * deno task demo
 * ```
 *
 * @module
 */

import { buildJars } from "./build_jars.ts";
import { selfCommand } from "../main.ts";

const RHINO_JAR = "/usr/share/java/js.jar";

const RHINO_SCRIPT = [
  "var fib = function (n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); };",
  "var langs = ['Java', 'JavaScript', 'Nomad'];",
  "print('Rhino on Java ' + java.lang.System.getProperty('java.version'));",
  "print('fib(20) = ' + fib(20));",
  "print('sorted: ' + langs.sort().join(', '));",
].join(" ");

async function milo(args: string[]): Promise<number> {
  const [program, ...rest] = selfCommand();
  const child = new Deno.Command(program, {
    args: [...rest, "run", ...args],
    stdin: "null",
  }).spawn();
  return (await child.status).code;
}

function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}

if (import.meta.main) {
  const jars = await buildJars();

  heading("sample app: milo run .cache/jars/hello.jar");
  const hello = await milo([jars.hello]);
  console.log(`(exit code ${hello})`);

  heading(`Rhino: milo run ${RHINO_JAR} -- -e '...'`);
  const rhino = await milo([RHINO_JAR, "--", "-e", RHINO_SCRIPT]);
  console.log(`(exit code ${rhino})`);

  Deno.exit(hello === 0 && rhino === 0 ? 0 : 1);
}
