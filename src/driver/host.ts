/**
 * The host as Milo uses it: root, crun and conmon (found, runnable, recent
 * enough), the cgroup layout (with the hybrid-mode workaround) and Milo's
 * state directories. A check is cheap to repeat: tool versions are cached
 * by binary identity, so it spawns nothing when nothing changed.
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
import { BundleFactory } from "./bundle_factory.ts";
import type { PluginConfig } from "./plugin_config.ts";
import { ToolVersions, versionAtLeast } from "./tool_versions.ts";
import { which } from "./which.ts";

/** The oldest crun Milo is tested with (Debian 12's); older is refused. */
export const MIN_CRUN_VERSION = "1.8.0";

/** conmon with `--api-version 1` and the sync pipe Milo relies on. */
export const MIN_CONMON_VERSION = "2.0.0";

/** PATH used when the plugin has none. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

/** One found tool. */
export interface Tool {
  path: string;
  version: string;
}

/** The host as one check saw it. */
export interface Host {
  /** Why the driver cannot work here at all (not root); UNDETECTED. */
  undetected?: string;
  /** Problems that stop tasks from starting, each with its fix. */
  problems: string[];
  cgroup: CgroupLayout;
  /** True when crun runs in a namespace without the cgroup2 mount. */
  hybridWorkaround: boolean;
  crun?: Tool;
  conmon?: Tool;
  layout: HostLayout;
  crunRoot: string;
  bundlesDir: string;
  /** Shared rootfs directories (one per runtime shape). */
  rootfsDir: string;
  /** Spec templates and shared rootfs per runtime, kept across checks. */
  bundles: BundleFactory;
  exitDir: string;
  /** Set when crun and conmon were found (tasks start only without problems). */
  runtime?: ContainerRuntime;
  exits: ExitWatcher;
  /** The directories searched for crun and conmon. */
  toolDirs: string[];
}

/** Checks the host for one plugin config, as often as asked. */
export class HostChecker {
  readonly #config: PluginConfig;
  readonly #logger: Logger;
  readonly #path: string;
  readonly #versions = new ToolVersions();
  readonly #exits: ExitWatcher;
  #layout?: Promise<HostLayout>;
  #bundles?: BundleFactory;
  #warned = false;
  readonly #fellBack = new Set<string>();

  readonly #readCgroup: () => Promise<CgroupLayout>;

  /**
   * Prepares the checker; nothing is read until {@linkcode check}. `path`
   * is where crun and conmon are searched (the plugin's PATH); `cgroup`
   * replaces reading the host's mount table (for tests).
   */
  constructor(
    config: PluginConfig,
    logger: Logger,
    options: { path?: string; cgroup?: () => Promise<CgroupLayout> } = {},
  ) {
    this.#config = config;
    this.#logger = logger;
    this.#path = options.path || DEFAULT_PATH;
    this.#readCgroup = options.cgroup ?? readCgroupLayout;
    this.#exits = new ExitWatcher(join(config.stateDir, "exits"));
  }

  /** How many times a tool's --version was run so far. */
  get toolSpawns(): number {
    return this.#versions.spawns;
  }

  /** Looks at the host now. Never throws for a missing dependency. */
  async check(): Promise<Host> {
    const problems: string[] = [];
    const crun = await this.#tool("crun", this.#config.crunPath, problems);
    const conmon = await this.#tool(
      "conmon",
      this.#config.conmonPath,
      problems,
    );
    const cgroup = await this.#readCgroup();
    const hybridWorkaround = this.#checkCgroup(cgroup, problems);
    this.#layout ??= probeHostLayout();

    const { stateDir } = this.#config;
    const layout = await this.#layout;
    this.#bundles ??= new BundleFactory(
      layout,
      join(stateDir, "bundles"),
      join(stateDir, "rootfs"),
    );
    const host: Host = {
      undetected: Deno.uid() === 0
        ? undefined
        : "Driver must run as root (crun and conmon need it)",
      problems,
      cgroup,
      hybridWorkaround,
      crun,
      conmon,
      layout,
      crunRoot: join(stateDir, "crun"),
      bundlesDir: join(stateDir, "bundles"),
      rootfsDir: join(stateDir, "rootfs"),
      bundles: this.#bundles,
      exitDir: join(stateDir, "exits"),
      exits: this.#exits,
      toolDirs: this.toolDirs(),
    };
    makeDirs(host, problems);
    if (crun && conmon) {
      host.runtime = new ContainerRuntime({
        crunPath: crun.path,
        conmonPath: conmon.path,
        stateRoot: host.crunRoot,
        unmountCgroup2: hybridWorkaround
          ? cgroup.unmountForCrun ?? undefined
          : undefined,
      });
    }
    return host;
  }

  /** Directories where crun or conmon may appear (to watch). */
  toolDirs(): string[] {
    const dirs = this.#path.split(":").filter(Boolean);
    for (const configured of [this.#config.crunPath, this.#config.conmonPath]) {
      if (configured?.includes("/")) {
        dirs.push(configured.slice(0, configured.lastIndexOf("/")) || "/");
      }
    }
    return [...new Set(dirs)];
  }

  /** Stops the exit watcher (pending task exits stay pending). */
  close(): Promise<void> {
    return this.#exits.close();
  }

  async #tool(
    name: "crun" | "conmon",
    configured: string | undefined,
    problems: string[],
  ): Promise<Tool | undefined> {
    // crun_path first; when it names nothing, PATH (so a tool installed
    // later is found without a config change).
    const chosen = configured ? which(configured, this.#path) : undefined;
    const path = chosen ?? which(name, this.#path);
    const fix = `install it (apt-get install ${name}) or set ${name}_path ` +
      "in the plugin config";
    if (!path) {
      const where = (configured ? `${name}_path = "${configured}" and ` : "") +
        `PATH=${this.#path}`;
      problems.push(`${name} not found (looked in ${where}): ${fix}`);
      return undefined;
    }
    if (configured && !chosen && !this.#fellBack.has(name)) {
      this.#fellBack.add(name);
      this.#logger.warn(`${name}_path names no executable; using PATH`, {
        [`${name}_path`]: configured,
        using: path,
      });
    }
    const answer = await this.#versions.versionOf(path);
    if ("error" in answer) {
      problems.push(
        `${name} at "${path}" does not run (${answer.error}): ${fix}`,
      );
      return undefined;
    }
    const minimum = name === "crun" ? MIN_CRUN_VERSION : MIN_CONMON_VERSION;
    if (!versionAtLeast(answer.version, minimum)) {
      problems.push(
        `${name} at "${path}" is version ${answer.version}, older than ` +
          `${minimum}: install a newer ${name}`,
      );
      return undefined;
    }
    return { path, version: answer.version };
  }

  #checkCgroup(cgroup: CgroupLayout, problems: string[]): boolean {
    if (cgroup.mode === "none") {
      problems.push(
        "no cgroup file system is mounted under /sys/fs/cgroup: mount " +
          "cgroup2 (or the v1 controllers) so crun can apply task limits",
      );
      return false;
    }
    if (!cgroup.unmountForCrun) return false;

    if (!this.#config.cgroupHybridWorkaround) {
      problems.push(
        `cgroups are in hybrid mode (cgroup v1 controllers plus a cgroup2 ` +
          `mount at ${cgroup.cgroup2Mount} that holds controllers), which ` +
          "crun refuses: boot the host with cgroup v2 only " +
          "(systemd.unified_cgroup_hierarchy=1) or set " +
          "cgroup_hybrid_workaround = true in the plugin config",
      );
      return false;
    }
    if (!this.#warned) {
      this.#warned = true;
      this.#logger.warn(
        "cgroup hybrid mode: running crun without the cgroup2 mount",
        {
          cgroup2_mount: cgroup.cgroup2Mount,
          detail: "crun refuses hybrid hosts; crun and conmon run in a " +
            "private mount namespace without the cgroup2 mount, so task " +
            "limits use the cgroup v1 controllers (disable with " +
            "cgroup_hybrid_workaround = false)",
        },
      );
    }
    return true;
  }
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

/**
 * Creates the state directories and proves each writable. Synchronous:
 * twelve metadata calls take ~40 µs, as async ops ~500 µs, on every check.
 */
function makeDirs(host: Host, problems: string[]): void {
  for (
    const dir of [host.crunRoot, host.bundlesDir, host.exitDir, host.rootfsDir]
  ) {
    try {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const probe = Deno.makeTempFileSync({ dir, prefix: ".milo-check-" });
      Deno.removeSync(probe);
    } catch (error) {
      problems.push(
        `cannot use "${dir}" (${(error as Error).message}): run the ` +
          "plugin as root or set state_dir to a writable directory",
      );
    }
  }
}
