/**
 * A spec template per Java runtime: everything that depends only on the
 * host and the runtime (kernel and system mounts, the runtime's bind,
 * namespaces, masked and read-only paths, the shared rootfs) is serialised
 * once; each task fills in its process, host name, task mounts and
 * resources. `JSON.parse(template.render(input))` equals
 * `buildSpec(input, layout)` with `root.path` set to the shared rootfs.
 *
 * @module
 */

import {
  DEFAULT_NAMESPACES,
  MASKED_PATHS,
  READONLY_PATHS,
} from "./defaults.ts";
import type { HostLayout } from "./host_layout.ts";
import {
  buildHostMounts,
  buildProcess,
  buildResources,
  buildTaskMounts,
  type ContainerSpecInput,
} from "./spec.ts";
import { mountPointsOf } from "./bundle.ts";
import { validateSpecInput } from "./spec_input.ts";
import { OCI_VERSION } from "./types.ts";

/** The serialised host part of one runtime's specs. */
export class SpecTemplate {
  /** The runtime home every filled spec binds. */
  readonly runtimeHome: string;
  /**
   * Directories the rootfs must hold for these specs: each mount point
   * not inside an earlier mount, nor one of the host's symlinks.
   */
  readonly mountPoints: readonly string[];
  readonly #head: string;
  readonly #linuxTail: string;

  /**
   * Serialises the host part. `rootPath` is the rootfs every spec uses
   * (absolute for a shared one, or "rootfs" inside the bundle).
   */
  constructor(layout: HostLayout, runtimeHome: string, rootPath: string) {
    this.runtimeHome = runtimeHome;
    const hostMounts = buildHostMounts(layout, runtimeHome);
    this.mountPoints = specMountPoints(layout, runtimeHome);
    this.#head = `{"ociVersion":${JSON.stringify(OCI_VERSION)},` +
      `"root":${JSON.stringify({ path: rootPath, readonly: true })},` +
      `"mounts":[${hostMounts.map((m) => JSON.stringify(m)).join(",")},`;
    this.#linuxTail = `,"namespaces":${
      JSON.stringify(DEFAULT_NAMESPACES.map((type) => ({ type })))
    },"maskedPaths":${JSON.stringify(MASKED_PATHS)},"readonlyPaths":${
      JSON.stringify(READONLY_PATHS)
    }}}`;
  }

  /**
   * The spec of one task as JSON text.
   *
   * @throws {TypeError} or {RangeError} for input `buildSpec` refuses,
   * and a TypeError when `input.runtimeHome` is not this template's.
   */
  render(input: ContainerSpecInput): string {
    validateSpecInput(input);
    if (input.runtimeHome !== this.runtimeHome) {
      throw new TypeError(
        `runtimeHome "${input.runtimeHome}" is not the template's ` +
          `"${this.runtimeHome}"`,
      );
    }
    const task = buildTaskMounts(input.taskMounts).map((m) =>
      JSON.stringify(m)
    );
    return this.#head + task.join(",") +
      `],"process":${JSON.stringify(buildProcess(input))}` +
      `,"hostname":${JSON.stringify(input.hostname)}` +
      `,"linux":{"cgroupsPath":${JSON.stringify(input.cgroupsPath)}` +
      `,"resources":${JSON.stringify(buildResources(input))}` +
      this.#linuxTail;
  }
}

/** The {@linkcode SpecTemplate.mountPoints} of a layout and runtime home. */
export function specMountPoints(
  layout: HostLayout,
  runtimeHome: string,
): string[] {
  const taskMounts = buildTaskMounts({
    localDir: "/",
    secretsDir: "/",
    allocDir: "/",
  });
  return mountPointsOf(
    [...buildHostMounts(layout, runtimeHome), ...taskMounts],
    layout,
  );
}
