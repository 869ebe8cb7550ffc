/**
 * Parses a Java runtime's `release` file (`KEY="value"` lines), which every
 * JDK since 9 ships at its home and which costs microseconds to read,
 * against tens of milliseconds for `java -version`.
 *
 * @module
 */

/** Key/value pairs of a release file, quotes removed. */
export function parseRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    out[match[1]] = value;
  }
  return out;
}
