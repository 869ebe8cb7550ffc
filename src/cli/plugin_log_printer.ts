/**
 * Shows the plugin's hclog JSON lines on a terminal, briefly.
 *
 * @module
 */

const SHOWN_LEVELS = new Set(["warn", "error"]);

/** Prints plugin log lines: warnings and errors, or all when verbose. */
export class PluginLogPrinter {
  readonly #verbose: boolean;

  /** Creates a printer; `verbose` shows every line. */
  constructor(verbose: boolean) {
    this.#verbose = verbose;
  }

  /** Prints one stderr line of the plugin if it is worth showing. */
  print(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      if (this.#verbose) console.error(`milo plugin: ${line}`);
      return;
    }
    const level = String(entry["@level"] ?? "info");
    if (!this.#verbose && !SHOWN_LEVELS.has(level)) return;
    if (!this.#verbose) {
      console.error(`milo plugin: ${level}: ${entry["@message"]}`);
      return;
    }
    const fields = Object.entries(entry)
      .filter(([key]) => !key.startsWith("@"))
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    console.error(
      `milo plugin: ${level}: ${entry["@message"]}` +
        (fields.length ? ` (${fields.join(" ")})` : ""),
    );
  }
}
