/**
 * Java runtime inventory: discovery, version constraints and the cached
 * detector the driver uses on the task start path.
 *
 * @module
 */

export { RuntimeDetector } from "./runtime_detector.ts";
export type { DetectorOptions } from "./detector_options.ts";
export {
  type BrokenRuntime,
  describeRuntime,
  type Inventory,
  type JavaRuntime,
} from "./java_runtime.ts";
export {
  compareJavaVersions,
  formatJavaVersion,
  type JavaVersion,
  parseJavaVersion,
} from "./java_version.ts";
export {
  matchesConstraint,
  parseConstraint,
  type VersionConstraint,
} from "./version_constraint.ts";
export {
  NoMatchingRuntimeError,
  type RuntimeRequest,
} from "./select_runtime.ts";
export {
  type ContainerAwareness,
  containerAwareness,
} from "./container_awareness.ts";
export type { Probe } from "./run_probe.ts";
export type { Timers } from "../fs/timers.ts";
