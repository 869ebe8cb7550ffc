/**
 * Builders for Nomad's hclspec messages, so schemas read like HCL.
 *
 * Nomad converts these to hcldec specs (nomad
 * `helper/pluginutils/hclspecutils/dec.go`): children of an object inherit
 * their map key as name, but an Attr inside a Default does not, so every
 * Attr here carries its name explicitly. Literal values are HCL expressions,
 * hence the quotes in string defaults.
 *
 * @module
 */

import type { Spec } from "../gen/nomad/hcl_spec.ts";

/** An attribute of the given HCL type expression ("string", "list(string)"). */
export function attr(name: string, type: string, required = false): Spec {
  return { block: { $case: "Attr", value: { name, type, required } } };
}

/** An object whose keys are the attribute names. */
export function object(attributes: Record<string, Spec>): Spec {
  return { block: { $case: "object", value: { attributes } } };
}

/** `primary`, or the HCL expression `literal` when unset. */
export function withDefault(primary: Spec, literal: string): Spec {
  return {
    block: {
      $case: "default",
      value: {
        primary,
        default: { block: { $case: "literal", value: { value: literal } } },
      },
    },
  };
}

/** An HCL string literal expression for `value`. */
export function hclString(value: string): string {
  return JSON.stringify(value);
}
