/**
 * The driver-level cache of Java runtimes: one detection shared by every
 * lookup, invalidated by filesystem watches, a periodic refresh and a
 * cheap check of the chosen runtime on each use.
 *
 * @module
 */

import { join } from "node:path";
import { detectInventory, type Detection } from "./detect_inventory.ts";
import { DebouncedWatch, denoWatchFs } from "../fs/debounced_watch.ts";
import { inspectHome } from "./inspect_home.ts";
import {
  describeRuntime,
  type Inventory,
  type JavaRuntime,
} from "./java_runtime.ts";
import { defaultProbe } from "./run_probe.ts";
import type { DetectorOptions } from "./detector_options.ts";
import {
  badHome,
  noMatch,
  pickRuntime,
  requestConstraint,
  type RuntimeRequest,
} from "./select_runtime.ts";
import { REAL_CLOCK, REAL_TIMERS } from "../fs/timers.ts";
import {
  matchesConstraint,
  type VersionConstraint,
} from "./version_constraint.ts";

/** Keeps the inventory of Java runtimes for a driver. */
export class RuntimeDetector {
  #options: Required<Omit<DetectorOptions, "javaHome" | "path">> & {
    javaHome?: string;
    path?: string;
  };
  #detection?: Detection;
  #running?: Promise<Detection>;
  #listeners = new Set<(inventory: Inventory) => void>();
  #signature = "";
  #watch?: DebouncedWatch;
  #watched = "";
  #periodic: unknown;
  #closed = false;
  #detections = 0;

  /** Creates a detector; nothing runs until the first lookup or refresh. */
  constructor(options: DetectorOptions = {}) {
    this.#options = {
      searchPaths: [],
      homes: [],
      defaultRoots: true,
      refreshIntervalMs: 300_000,
      debounceMs: 200,
      pollMs: 1000,
      probeTimeoutMs: 10_000,
      watch: true,
      checkOnUse: true,
      clock: REAL_CLOCK,
      timers: REAL_TIMERS,
      probe: defaultProbe,
      watchFs: denoWatchFs,
      onError: () => {},
      ...options,
    };
  }

  /** How many full detections have run; for tests and metrics. */
  get detections(): number {
    return this.#detections;
  }

  /**
   * The cached inventory, detecting first when there is none or it is
   * older than the refresh interval. Concurrent calls share one detection.
   *
   * @throws {Error} when the detector is closed.
   */
  async inventory(): Promise<Inventory> {
    this.#assertOpen();
    const cached = this.#detection?.inventory;
    const age = cached && this.#options.clock() - cached.checkedAt;
    if (cached && age! < this.#options.refreshIntervalMs) return cached;
    return (await this.#detect()).inventory;
  }

  /** Runs a detection that starts after this call, sharing concurrent ones. */
  async refresh(): Promise<Inventory> {
    this.#assertOpen();
    await this.#running?.catch(() => {});
    return (await this.#detect()).inventory;
  }

  /**
   * The runtime for a task: its `javaHome` if set, else the newest
   * runtime matching `javaVersion` (or `defaultVersion`), else the newest.
   * A chosen runtime that has changed on disk since detection, or a
   * request nothing matches, triggers one fresh detection before failing.
   *
   * @throws {TypeError} for constraint text that does not parse.
   * @throws {NoMatchingRuntimeError} when nothing fits; lists what is installed.
   */
  async select(request: RuntimeRequest = {}): Promise<JavaRuntime> {
    const constraint = requestConstraint(request);
    if (request.javaHome) {
      return await this.#selectHome(request.javaHome, constraint);
    }

    let inventory = await this.inventory();
    const cached = pickRuntime(inventory.runtimes, constraint);
    if (cached && this.#isFresh(cached)) return cached;

    const quiet = this.#options.clock() - inventory.checkedAt >=
      this.#options.debounceMs;
    if (cached || quiet) inventory = await this.refresh();
    const runtime = pickRuntime(inventory.runtimes, constraint);
    if (!runtime) throw noMatch(inventory, constraint);
    return runtime;
  }

  /**
   * Calls `listener` after each detection whose result differs from the
   * previous one, the first included. Returns the unsubscribe function.
   */
  subscribe(listener: (inventory: Inventory) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops watches and timers and waits for a running detection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#options.timers.clearTimeout(this.#periodic);
    await this.#watch?.close();
    this.#watch = undefined;
    await this.#running?.catch(() => {});
  }

  async #selectHome(
    home: string,
    constraint?: VersionConstraint,
  ): Promise<JavaRuntime> {
    let inventory = await this.inventory();
    const real = await Deno.realPath(home).catch(() => undefined);
    if (!real) throw badHome(inventory, home, `"${home}" does not exist`);

    let runtime = inventory.runtimes.find((r) => r.home === real);
    if (runtime && !this.#isFresh(runtime)) {
      inventory = await this.refresh();
      runtime = inventory.runtimes.find((r) => r.home === real);
    }
    if (!runtime) {
      // A home outside the inventory is read on each start (microseconds
      // with a release file) rather than cached.
      const inspected = await inspectHome(real, this.#options);
      if (!inspected.ok) {
        throw badHome(inventory, home, inspected.broken.reason);
      }
      runtime = { ...inspected.runtime, aliases: [home] };
    }
    if (constraint && !matchesConstraint(runtime.version, constraint)) {
      const reason = `it holds ${describeRuntime(runtime)}, outside ` +
        `java_version "${constraint.text}"`;
      throw badHome(inventory, home, reason);
    }
    return runtime;
  }

  // deno#27560: watchFs misses symlink changes, so each use re-checks the
  // release mtime, bin/java and every symlink found. Sync calls: four
  // metadata syscalls take ~10 us, the async ops' overhead ~80 us.
  #isFresh(runtime: JavaRuntime): boolean {
    const detection = this.#detection;
    if (!this.#options.checkOnUse) return true;
    if (!detection) return false;
    const release = statOrNull(join(runtime.home, "release"));
    const mtime = release ? release.mtime?.getTime() ?? 0 : null;
    if (mtime !== detection.releaseMtimes.get(runtime.home)) return false;
    if (!statOrNull(runtime.java)?.isFile) return false;
    for (const [path, target] of detection.links) {
      if (realPathOrNull(path) !== target) return false;
    }
    return true;
  }

  #detect(): Promise<Detection> {
    this.#running ??= this.#run().finally(() => this.#running = undefined);
    return this.#running;
  }

  async #run(): Promise<Detection> {
    this.#detections++;
    const { clock } = this.#options;
    const detection = await detectInventory(
      this.#options,
      this.#options,
      clock,
    );
    if (this.#closed) return detection;

    this.#detection = detection;
    this.#schedulePeriodic();
    await this.#rewatch(detection.watchPaths);
    this.#notify(detection.inventory);
    return detection;
  }

  #schedulePeriodic() {
    const { timers, refreshIntervalMs, onError } = this.#options;
    timers.clearTimeout(this.#periodic);
    this.#periodic = timers.setTimeout(() => {
      if (!this.#closed) this.refresh().catch(onError);
    }, refreshIntervalMs);
  }

  async #rewatch(paths: string[]) {
    const { watch, watchFs, timers, debounceMs, pollMs, onError } =
      this.#options;
    const key = paths.join("\n");
    if (!watch || key === this.#watched) return;

    await this.#watch?.close();
    this.#watch = undefined;
    this.#watched = "";
    try {
      const onChange = () => {
        if (!this.#closed) this.refresh().catch(onError);
      };
      this.#watch = new DebouncedWatch(paths, {
        watchFs,
        timers,
        debounceMs,
        pollMs,
        onChange,
      });
      this.#watched = key;
    } catch (error) {
      // A path removed since detection; the next detection retries.
      onError(error);
    }
  }

  #notify(inventory: Inventory) {
    const signature = JSON.stringify([inventory.runtimes, inventory.broken]);
    if (signature === this.#signature) return;
    this.#signature = signature;
    for (const listener of this.#listeners) {
      try {
        listener(inventory);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }

  #assertOpen() {
    if (!this.#closed) return;
    throw new Error(
      "Cannot look up Java runtimes: the detector is closed; " +
        "create a new RuntimeDetector",
    );
  }
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

function realPathOrNull(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}
