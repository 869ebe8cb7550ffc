/**
 * What HCL decoding does before Nomad encodes a config block: every key of
 * the object spec is present, and `default` specs fill unset keys with their
 * literal (nomad `helper/pluginutils/hclspecutils`).
 *
 * @module
 */

import type { Spec } from "../gen/nomad/hcl_spec.ts";

/**
 * Fills unset keys of `values` from the spec's defaults. Literals are HCL
 * expressions; the simple ones Milo uses (strings, numbers, bools, lists)
 * are also JSON.
 *
 * @throws {TypeError} when the root spec is not an object.
 */
export function applyDefaults(
  spec: Spec | undefined,
  values: Record<string, unknown>,
): Record<string, unknown> {
  if (spec?.block?.$case !== "object") {
    throw new TypeError("Cannot read schema: the root spec is not an object");
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(spec.block.value.attributes)) {
    out[key] = values[key] ?? defaultOf(child);
  }
  for (const [key, value] of Object.entries(values)) out[key] ??= value;
  return out;
}

function defaultOf(spec: Spec): unknown {
  if (spec.block?.$case !== "default") return null;
  const fallback = spec.block.value.default?.block;
  if (fallback?.$case !== "literal") return null;
  return JSON.parse(fallback.value.value);
}
