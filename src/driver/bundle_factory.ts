/**
 * Task bundles the cheap way: per Java runtime, one spec template and one
 * shared read-only rootfs, made on first use; per task, a directory and
 * its config.json, nothing more.
 *
 * @module
 */

import { join } from "node:path";
import type { HostLayout } from "../oci/host_layout.ts";
import { SharedRootfs } from "../oci/shared_rootfs.ts";
import { specMountPoints, SpecTemplate } from "../oci/spec_template.ts";

/** Makes task bundles under one bundles directory. */
export class BundleFactory {
  readonly #layout: HostLayout;
  readonly #bundlesDir: string;
  readonly #rootfs: SharedRootfs;
  readonly #templates = new Map<string, Promise<SpecTemplate>>();

  /** `rootfsDir` holds the shared rootfs directories. */
  constructor(layout: HostLayout, bundlesDir: string, rootfsDir: string) {
    this.#layout = layout;
    this.#bundlesDir = bundlesDir;
    this.#rootfs = new SharedRootfs(rootfsDir);
  }

  /** The template of a runtime, with its shared rootfs made. */
  template(runtimeHome: string): Promise<SpecTemplate> {
    let template = this.#templates.get(runtimeHome);
    if (!template) {
      template = this.#rootfs.get(
        specMountPoints(this.#layout, runtimeHome),
        this.#layout.symlinks,
      ).then((root) => new SpecTemplate(this.#layout, runtimeHome, root));
      this.#templates.set(runtimeHome, template);
      template.catch(() => this.#templates.delete(runtimeHome));
    }
    return template;
  }

  /** The bundle directory of a container. */
  bundleDir(containerId: string): string {
    return join(this.#bundlesDir, containerId);
  }
}
