/**
 * Decodes the msgpack that Nomad writes with go-cty (PROTOCOL.md §5.3).
 *
 * The root is a map holding every key of the schema (nil for unset ones);
 * strings are str, numbers the smallest int, a float64, or a decimal string.
 * cty's "unknown value" is an extension type and never legitimately sent by
 * Nomad, so any extension, bin or timestamp value is rejected.
 *
 * @module
 */

import { decode, ExtData, ExtensionCodec } from "@msgpack/msgpack";

/** Thrown when the bytes are not a cty-encoded object. */
export class CtyDecodeError extends SyntaxError {
  /** Creates the error; `what` names the field that carried the bytes. */
  constructor(what: string, detail: string, options?: ErrorOptions) {
    super(`Cannot decode ${what}: ${detail}`, options);
    this.name = "CtyDecodeError";
  }
}

const rejectExtensions = new ExtensionCodec();

/**
 * Decodes `bytes` to a plain object; empty input is an empty object (Nomad
 * sends nothing when a plugin has no config).
 *
 * @throws {CtyDecodeError} naming `what` when the bytes are not a map.
 */
export function decodeCtyObject(
  bytes: Uint8Array,
  what: string,
): Record<string, unknown> {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = decode(bytes, {
      extensionCodec: rejectExtensions,
      useBigInt64: true,
      mapKeyConverter: (key) => {
        if (typeof key !== "string") throw new TypeError("non-string map key");
        return key;
      },
    });
  } catch (error) {
    throw new CtyDecodeError(
      what,
      `not valid msgpack (${(error as Error).message}); Nomad sends the ` +
        "task's config block encoded with go-cty",
      { cause: error },
    );
  }
  try {
    return checkPlain(value, what);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new CtyDecodeError(what, "values are nested too deeply", {
      cause: error,
    });
  }
}

function checkPlain(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new CtyDecodeError(
      what,
      `expected a msgpack map at the top, got ${kind(value)}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = normalise(item, `${what} key "${key}"`);
  }
  return out;
}

function normalise(value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (
    value instanceof Uint8Array || value instanceof Date ||
    value instanceof ExtData
  ) {
    throw new CtyDecodeError(where, `unexpected ${kind(value)} value`);
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, where));
  if (isRecord(value)) return checkPlain(value, where);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    !Array.isArray(value) && !(value instanceof Uint8Array) &&
    !(value instanceof Date) && !(value instanceof ExtData);
}

function kind(value: unknown): string {
  if (value === null) return "nil";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "binary data";
  if (value instanceof Date) return "a timestamp";
  if (value instanceof ExtData) return "an extension (cty unknown value)";
  return `a ${typeof value}`;
}
