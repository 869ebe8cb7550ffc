/**
 * Java version strings: JEP 223 (`17.0.15+6-Debian-1deb12u1`,
 * `25.0.3+9-LTS`) and the legacy 1.x scheme (`1.8.0_392-b08`).
 *
 * @module
 */

/** A parsed Java version; `text` keeps the original string. */
export interface JavaVersion {
  /** Feature release: 8, 11, 17, 25. */
  feature: number;
  /** Interim release (0 for every release since JDK 10 so far). */
  interim: number;
  /** Update release: the 15 of 17.0.15, the 392 of 1.8.0_392. */
  update: number;
  /** Emergency patch: the 1 of 11.0.16.1. */
  patch: number;
  /** Build number after `+` (or `-b` in the legacy scheme). */
  build?: number;
  /** The string as found. */
  text: string;
}

const MODERN =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*(?:-[\w.]+)?(?:\+(\d+))?/;
const LEGACY = /^1\.(\d+)(?:\.(\d+))?(?:_(\d+))?(?:-(?:[\w.]+-)?b(\d+))?/;

/**
 * Parses a Java version string.
 *
 * @throws {SyntaxError} when the text is not a Java version.
 */
export function parseJavaVersion(text: string): JavaVersion {
  const trimmed = text.trim();
  const legacy = LEGACY.exec(trimmed);
  if (legacy && Number(legacy[1]) <= 8) {
    return withBuild({
      feature: Number(legacy[1]),
      interim: Number(legacy[2] ?? 0),
      update: Number(legacy[3] ?? 0),
      patch: 0,
      text: trimmed,
    }, legacy[4]);
  }

  const modern = MODERN.exec(trimmed);
  if (!modern || Number(modern[1]) === 0) {
    throw new SyntaxError(
      `Cannot parse Java version "${text}": expected a form like ` +
        `"17.0.15+6" or "1.8.0_392"`,
    );
  }
  return withBuild({
    feature: Number(modern[1]),
    interim: Number(modern[2] ?? 0),
    update: Number(modern[3] ?? 0),
    patch: Number(modern[4] ?? 0),
    text: trimmed,
  }, modern[5]);
}

function withBuild(version: JavaVersion, build?: string): JavaVersion {
  return build === undefined ? version : { ...version, build: Number(build) };
}

/** Orders versions oldest first (build numbers count last; none is oldest). */
export function compareJavaVersions(a: JavaVersion, b: JavaVersion): number {
  return a.feature - b.feature || a.interim - b.interim ||
    a.update - b.update || a.patch - b.patch ||
    (a.build ?? -1) - (b.build ?? -1);
}

/**
 * The short form for people: the version number without build or
 * suffix, as the runtime prints it ("17.0.15", "1.8.0_392").
 */
export function formatJavaVersion(version: JavaVersion): string {
  return version.text.split(/[+\s]|-(?=[A-Za-z])/)[0];
}
