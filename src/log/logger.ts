/**
 * hclog-compatible JSON lines on stderr.
 *
 * Nomad's go-plugin client re-logs every stderr line of a plugin. It parses a
 * JSON object only when `@timestamp` has exactly six fractional digits, and it
 * panics (killing the agent) when `@level`, `@message` or `@timestamp` is not
 * a string (go-plugin `log_entry.go`, `client.go` logStderr). So the three
 * `@` keys are always strings here and every other field is flattened.
 *
 * @module
 */

/** Log levels in hclog's spelling, lowest first. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** Flat key/value data attached to one log line. */
export type LogFields = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
};

const encoder = new TextEncoder();

/** Options for {@linkcode Logger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped. Default "debug". */
  level?: LogLevel;
  /** Written as `@module` when set. */
  module?: string;
  /** Fields added to every line. */
  fields?: LogFields;
  /** Where a finished line goes; defaults to a synchronous stderr write. */
  sink?: (line: string) => void;
}

/** Writes hclog-compatible JSON lines; never throws on a broken stderr. */
export class Logger {
  #level: number;
  #module?: string;
  #fields: LogFields;
  #sink: (line: string) => void;

  /** Creates a logger; see {@linkcode LoggerOptions}. */
  constructor(options: LoggerOptions = {}) {
    this.#level = LEVEL_RANK[options.level ?? "debug"];
    this.#module = options.module;
    this.#fields = options.fields ?? {};
    this.#sink = options.sink ?? writeStderr;
  }

  /** Returns a logger that adds `fields` (and keeps this one's sink). */
  with(fields: LogFields): Logger {
    return this.#derive(this.#module, { ...this.#fields, ...fields });
  }

  /** Returns a logger whose lines carry `@module` = `module`. */
  named(module: string): Logger {
    const name = this.#module ? `${this.#module}.${module}` : module;
    return this.#derive(name, this.#fields);
  }

  /** Logs at trace level (ticks, polling). */
  trace(message: string, fields?: LogFields): void {
    this.#log("trace", message, fields);
  }

  /** Logs at debug level (decisions). */
  debug(message: string, fields?: LogFields): void {
    this.#log("debug", message, fields);
  }

  /** Logs at info level (lifecycle). */
  info(message: string, fields?: LogFields): void {
    this.#log("info", message, fields);
  }

  /** Logs at warn level (fallbacks). */
  warn(message: string, fields?: LogFields): void {
    this.#log("warn", message, fields);
  }

  /** Logs at error level (failures that are swallowed). */
  error(message: string, fields?: LogFields): void {
    this.#log("error", message, fields);
  }

  #derive(module: string | undefined, fields: LogFields): Logger {
    const child = new Logger({ module, fields, sink: this.#sink });
    child.#level = this.#level;
    return child;
  }

  #log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.#level) return;
    this.#sink(formatLine(level, message, this.#module, {
      ...this.#fields,
      ...fields,
    }));
  }
}

/**
 * Formats one hclog JSON line (without the newline).
 *
 * Field values are flattened to JSON-safe values: errors become their message
 * chain, bigints and symbols become strings, undefined fields are dropped.
 */
export function formatLine(
  level: LogLevel,
  message: string,
  module: string | undefined,
  fields: LogFields,
  now: number = epochMicros(),
): string {
  const entry: Record<string, unknown> = {
    "@level": level,
    "@message": String(message),
    "@timestamp": formatTimestamp(now),
  };
  if (module) entry["@module"] = module;
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith("@") || value === undefined) continue;
    entry[key] = flatten(value);
  }
  return JSON.stringify(entry);
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function formatTimestamp(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // ...SS.mmmZ
  const fraction = String(Math.floor(micros) % 1_000_000).padStart(6, "0");
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

function epochMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

function flatten(value: unknown): unknown {
  if (value instanceof Error) return errorText(value);
  switch (typeof value) {
    case "bigint":
    case "symbol":
    case "function":
      return String(value);
    default:
      return value;
  }
}

/** Renders an error with its causes: "outer: inner: innermost". */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const text = current instanceof Error ? current.message : String(current);
    if (!parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}

function writeStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  try {
    let written = 0;
    while (written < bytes.length) {
      written += Deno.stderr.writeSync(bytes.subarray(written));
    }
  } catch {
    // The agent that read our stderr is gone (EPIPE after a crash of the
    // Nomad client); the plugin must keep serving its tasks regardless.
  }
}
