/**
 * Typed reads from a decoded HCL block (cty msgpack decoded to plain values).
 *
 * cty sends every key of the schema, with null for unset ones, and may send
 * numbers as decimal strings (PROTOCOL.md §5.3), so reads accept both.
 *
 * @module
 */

/** Thrown by the readers; `key` is the offending HCL attribute. */
export class ConfigValueError extends Error {
  /** Creates the error for `key`. */
  constructor(readonly key: string, message: string) {
    super(message);
    this.name = "ConfigValueError";
  }
}

/** Reads an optional string; empty strings count as unset. */
export function readString(
  raw: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new ConfigValueError(
      key,
      `"${key}" must be a string, got ${describe(value)}`,
    );
  }
  return value;
}

/** Reads an optional list of strings; unset reads as an empty list. */
export function readStringList(
  raw: Record<string, unknown>,
  key: string,
): string[] {
  const value = raw[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new ConfigValueError(
      key,
      `"${key}" must be a list of strings, got ${describe(value)}`,
    );
  }
  return value as string[];
}

/** Reads an optional bool (also "true"/"false"); unset gives `fallback`. */
export function readBool(
  raw: Record<string, unknown>,
  key: string,
  fallback: boolean,
): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new ConfigValueError(
    key,
    `"${key}" must be true or false, got ${describe(value)}`,
  );
}

/** Reads an optional number, accepting cty's decimal strings. */
export function readNumber(
  raw: Record<string, unknown>,
  key: string,
): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number === "bigint") return Number(number);
  if (typeof number !== "number" || Number.isNaN(number)) {
    throw new ConfigValueError(
      key,
      `"${key}" must be a number, got ${describe(value)}`,
    );
  }
  return number;
}

/** Lists keys of `raw` that are not in `known` (typos in hand-made input). */
export function unknownKeys(
  raw: Record<string, unknown>,
  known: readonly string[],
): string[] {
  return Object.keys(raw).filter((key) => !known.includes(key));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list (${JSON.stringify(value)})`;
  if (typeof value === "string") return `the string "${value}"`;
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}
