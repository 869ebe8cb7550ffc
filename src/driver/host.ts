/**
 * The host as Milo uses it: crun and conmon located, the cgroup layout
 * checked (with the hybrid-mode workaround), the host's system directory
 * layout probed once, and Milo's state directories created.
 *
 * @module
 */

import { join } from "node:path";
import {
  type CgroupLayout,
  detectCgroupLayout,
} from "../crun/cgroup_layout.ts";
import { ContainerRuntime } from "../crun/container_runtime.ts";
import { ExitWatcher } from "../crun/exit_watcher.ts";
import { type HostLayout, probeHostLayout } from "../oci/host_layout.ts";
import type { Logger } from "../log/logger.ts";
import type { PluginConfig } from "./plugin_config.ts";
import { which } from "./which.ts";

/** A host ready to run containers, or the reasons it is not. */
export interface Host {
  /** Problems that stop tasks from starting, each with its fix. */
  problems: string[];
  cgroup: CgroupLayout;
  /** True when crun runs in a namespace without the cgroup2 mount. */
  hybridWorkaround: boolean;
  crunPath?: string;
  conmonPath?: string;
  layout: HostLayout;
  crunRoot: string;
  bundlesDir: string;
  exitDir: string;
  runtime?: ContainerRuntime;
  exits?: ExitWatcher;
}

/**
 * Inspects the host and prepares Milo's directories. Never throws for a
 * missing dependency: it is listed in `problems`, so SetConfig succeeds
 * (a failing SetConfig stops the whole Nomad agent) and the fingerprint
 * can explain it.
 */
export async function prepareHost(
  config: PluginConfig,
  logger: Logger,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<Host> {
  const problems: string[] = [];
  const path = env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";
  const crunPath = await findTool("crun", config.crunPath, path, problems);
  const conmonPath = await findTool(
    "conmon",
    config.conmonPath,
    path,
    problems,
  );

  const cgroup = await readCgroupLayout();
  const hybridWorkaround = checkCgroup(cgroup, config, problems, logger);

  const host: Host = {
    problems,
    cgroup,
    hybridWorkaround,
    crunPath,
    conmonPath,
    layout: await probeHostLayout(),
    crunRoot: join(config.stateDir, "crun"),
    bundlesDir: join(config.stateDir, "bundles"),
    exitDir: join(config.stateDir, "exits"),
  };
  await makeDirs(host, problems);
  if (crunPath && conmonPath && problems.length === 0) {
    host.runtime = new ContainerRuntime({
      crunPath,
      conmonPath,
      stateRoot: host.crunRoot,
      unmountCgroup2: hybridWorkaround
        ? cgroup.unmountForCrun ?? undefined
        : undefined,
    });
    host.exits = new ExitWatcher(host.exitDir);
  }
  return host;
}

async function readCgroupLayout(): Promise<CgroupLayout> {
  const mountinfo = await Deno.readTextFile("/proc/self/mountinfo");
  const layout = detectCgroupLayout(mountinfo);
  if (layout.mode !== "hybrid" || !layout.cgroup2Mount) return layout;
  const controllers = await Deno.readTextFile(
    join(layout.cgroup2Mount, "cgroup.controllers"),
  ).catch(() => undefined);
  return detectCgroupLayout(mountinfo, controllers);
}

async function findTool(
  name: string,
  configured: string | undefined,
  path: string,
  problems: string[],
): Promise<string | undefined> {
  const found = await which(configured ?? name, path);
  if (!found) {
    const where = configured
      ? `${name}_path = "${configured}"`
      : `PATH="${path}"`;
    problems.push(
      `${name} not found (looked in ${where}); install it ` +
        `(apt-get install ${name}) or set ${name}_path in the plugin config`,
    );
  }
  return found;
}

function checkCgroup(
  cgroup: CgroupLayout,
  config: PluginConfig,
  problems: string[],
  logger: Logger,
): boolean {
  if (cgroup.mode === "none") {
    problems.push(
      "no cgroup file system is mounted under /sys/fs/cgroup; mount cgroup2 " +
        "(or the v1 controllers) so crun can apply the task's limits",
    );
    return false;
  }
  if (!cgroup.unmountForCrun) return false;

  if (!config.cgroupHybridWorkaround) {
    problems.push(
      `cgroups are in hybrid mode (cgroup v1 controllers plus a cgroup2 ` +
        `mount at ${cgroup.cgroup2Mount} that holds controllers), which ` +
        "crun refuses; boot the host with cgroup v2 only " +
        "(systemd.unified_cgroup_hierarchy=1) or set " +
        "cgroup_hybrid_workaround = true in the plugin config",
    );
    return false;
  }
  logger.warn("cgroup hybrid mode: running crun without the cgroup2 mount", {
    cgroup2_mount: cgroup.cgroup2Mount,
    detail: "crun refuses hybrid hosts; crun and conmon run in a private " +
      "mount namespace without the cgroup2 mount, so task limits use the " +
      "cgroup v1 controllers (disable with cgroup_hybrid_workaround = false)",
  });
  return true;
}

async function makeDirs(host: Host, problems: string[]): Promise<void> {
  for (const dir of [host.crunRoot, host.bundlesDir, host.exitDir]) {
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      problems.push(
        `cannot create "${dir}" (${(error as Error).message}); run the ` +
          "plugin as root or set state_dir to a writable directory",
      );
    }
  }
}
