/**
 * Encodes a config block as Nomad does after HCL decoding (go-cty msgpack):
 * a map with every key of the schema, sorted, nil for unset ones.
 *
 * @module
 */

import { encode } from "@msgpack/msgpack";

/** Encodes `values` with every key of `keys` present (null when unset). */
export function encodeCtyObject(
  values: Record<string, unknown>,
  keys: readonly string[],
): Uint8Array {
  const all = [...new Set([...keys, ...Object.keys(values)])].sort();
  const map: Record<string, unknown> = {};
  for (const key of all) map[key] = values[key] ?? null;
  return encode(map);
}
