/**
 * The only code in Milo that runs crun and conmon.
 *
 * ```ts
 * const cgroups = await probeCgroupLayout();
 * const runtime = new ContainerRuntime({
 *   crunPath: "/usr/bin/crun",
 *   conmonPath: "/usr/bin/conmon",
 *   stateRoot: "/run/milo/crun",
 *   unmountCgroup2: cgroups.unmountForCrun ?? undefined,
 * });
 * const exits = new ExitWatcher("/run/milo/exits");
 * const { monitorPid } = await runtime.create(id, bundleDir, options);
 * await runtime.start(id);
 * const { exitCode } = await exits.waitForExit(id, monitorPid);
 * ```
 *
 * @module
 */

export * from "./cgroup_layout.ts";
export * from "./container_id.ts";
export * from "./container_runtime.ts";
export * from "./crun_error.ts";
export * from "./exit_watcher.ts";
export * from "./types.ts";
