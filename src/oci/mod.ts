/**
 * Pure OCI spec building and bundle writing. Nothing here spawns a process.
 *
 * ```ts
 * const layout = await probeHostLayout(); // once per plugin
 * const spec = buildSpec(input, layout);
 * await writeBundle(bundleDir, spec, layout);
 * ```
 *
 * @module
 */

export * from "./types.ts";
export * from "./host_layout.ts";
export * from "./defaults.ts";
export {
  buildHostMounts,
  buildSpec,
  clampCpuShares,
  type ContainerSpecInput,
  isWithin,
  type TaskMounts,
} from "./spec.ts";
export {
  listMountPoints,
  removeBundle,
  SPEC_FILE,
  writeBundle,
} from "./bundle.ts";
