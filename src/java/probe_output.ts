/**
 * Reads what `java -XshowSettings:properties -version` (or plain
 * `java -version`) prints on stderr.
 *
 * @module
 */

/** What a probe run told about a runtime; fields absent when not printed. */
export interface ProbeFacts {
  /** java.runtime.version, else java.version, else the quoted version. */
  version?: string;
  /** java.vendor. */
  vendor?: string;
  /** java.vendor.version (e.g. "Temurin-25.0.3+9"). */
  vendorVersion?: string;
  /** os.arch, as the JVM names it ("amd64"). */
  arch?: string;
}

const PROPERTY = /^ {4}([\w.]+) = (.*)$/;
const VERSION_LINE = /^[\w.-]+ version "([^"]+)"/;
const BUILD = /\(build ([^,)\s]+)/;

/**
 * Extracts version, vendor and architecture from probe output. Lines it
 * does not know are skipped, so `Picked up JAVA_TOOL_OPTIONS: ...`
 * banners and OpenJ9's extra lines (`Eclipse OpenJ9 VM ...`, `OpenJ9 -`,
 * `OMR -`, `JCL -`) do no harm.
 */
export function parseProbeOutput(output: string): ProbeFacts {
  const properties = new Map<string, string>();
  let quoted: string | undefined;
  let build: string | undefined;

  for (const line of output.split(/\r?\n/)) {
    const property = PROPERTY.exec(line);
    if (property) {
      properties.set(property[1], property[2].trim());
      continue;
    }
    const version = VERSION_LINE.exec(line);
    if (version && quoted === undefined) {
      quoted = version[1];
      continue;
    }
    // The "Runtime Environment" line carries the full runtime version.
    if (quoted !== undefined && build === undefined) {
      build = BUILD.exec(line)?.[1];
    }
  }

  return dropEmpty({
    version: properties.get("java.runtime.version") ??
      properties.get("java.version") ?? longer(quoted, build),
    vendor: properties.get("java.vendor"),
    vendorVersion: properties.get("java.vendor.version"),
    arch: properties.get("os.arch"),
  });
}

// `(build 1.8.0_392-b08)` and `(build 17.0.15+6-Debian-1deb12u1)` extend
// the quoted version; some builds print an unrelated build id instead.
function longer(quoted?: string, build?: string): string | undefined {
  if (quoted && build?.startsWith(quoted)) return build;
  return quoted;
}

function dropEmpty(facts: ProbeFacts): ProbeFacts {
  const out: ProbeFacts = {};
  for (const [key, value] of Object.entries(facts)) {
    if (value) out[key as keyof ProbeFacts] = value;
  }
  return out;
}
