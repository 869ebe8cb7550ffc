/**
 * Durations as Nomad's HCL writes them ("30s", "5m", "1h30m", "250ms"),
 * the format of Go's time.ParseDuration.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go-style duration into milliseconds.
 *
 * @throws {SyntaxError} naming the text and the accepted form.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const match of trimmed.matchAll(part)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    matched += match[0].length;
  }
  if (trimmed === "" || matched !== trimmed.length) {
    throw new SyntaxError(
      `Cannot parse duration "${text}": write a number and a unit, such ` +
        'as "30s", "5m" or "1h30m"',
    );
  }
  return total;
}
