/**
 * Runs a runtime's `java` once to learn what its `release` file does not
 * say.
 *
 * @module
 */

import type { Timers } from "../fs/timers.ts";

/**
 * Runs `java` and resolves with everything it printed (stderr, then
 * stdout). The signal aborts when the probe times out.
 */
export type Probe = (javaPath: string, signal: AbortSignal) => Promise<string>;

/** Arguments of the default probe: all properties in one JVM start. */
export const PROBE_ARGS: readonly string[] = [
  // A JVM holding the perf-data file in /tmp makes -version fail
  // (vespa-engine/vespa#35366); the probe needs no perf data.
  "-XX:-UsePerfData",
  "-XshowSettings:properties",
  "-version",
];

/**
 * The default probe: `java -XX:-UsePerfData -XshowSettings:properties
 * -version`, killed when the signal aborts.
 *
 * @throws {Error} when java exits non-zero or cannot be started.
 */
export async function defaultProbe(
  javaPath: string,
  signal: AbortSignal,
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(javaPath, {
    args: [...PROBE_ARGS],
    stdin: "null",
    signal,
  }).output();
  const text = new TextDecoder().decode(stderr) +
    new TextDecoder().decode(stdout);
  if (code !== 0) {
    const tail = text.trim().split("\n").slice(-1)[0] ?? "";
    throw new Error(`exit code ${code}: "${tail}"`);
  }
  return text;
}

/**
 * Runs a probe with a deadline on the injected timers.
 *
 * @throws {Error} "timed out after N ms", or the probe's own error.
 */
export async function probeWithTimeout(
  probe: Probe,
  javaPath: string,
  timeoutMs: number,
  timers: Timers,
): Promise<string> {
  const controller = new AbortController();
  let timer: unknown;
  const deadline = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const run = probe(javaPath, controller.signal);
  try {
    return await Promise.race([run, deadline]);
  } finally {
    timers.clearTimeout(timer);
    // Wait for the killed process so no child or pipe outlives the call.
    await run.catch(() => {});
  }
}
