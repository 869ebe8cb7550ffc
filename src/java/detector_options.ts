/**
 * Options of the runtime detector.
 *
 * @module
 */

import type { WatchFs } from "../fs/debounced_watch.ts";
import type { Probe } from "./run_probe.ts";
import type { Timers } from "../fs/timers.ts";

/** Where to look and how to keep the cache; every field optional. */
export interface DetectorOptions {
  /** The agent's JAVA_HOME; an explicit home. */
  javaHome?: string;
  /** The agent's PATH; its first `java` is resolved to its real home. */
  path?: string;
  /** Plugin `java_search_paths`: directories of homes, or homes. */
  searchPaths?: string[];
  /** Plugin `java_homes`: explicit homes. */
  homes?: string[];
  /** Also search /usr/lib/jvm, /usr/java, /opt/java*, /opt/*jdk*, /opt/*jre* (default true). */
  defaultRoots?: boolean;
  /** Full re-detection at least this often (default 300000, 5 minutes). */
  refreshIntervalMs?: number;
  /** Quiet period after filesystem events before re-detecting (default 200). */
  debounceMs?: number;
  /**
   * Also stat the watched paths this often, for the symlinks watchFs does
   * not report (default 1000; 0 turns it off).
   */
  pollMs?: number;
  /** Deadline of one java probe (default 10000). */
  probeTimeoutMs?: number;
  /** Watch roots and homes with Deno.watchFs (default true). */
  watch?: boolean;
  /** Stat and realpath the chosen runtime on each lookup (default true). */
  checkOnUse?: boolean;
  /** Milliseconds clock (default Date.now). */
  clock?: () => number;
  /** Timers (default the global ones). */
  timers?: Timers;
  /** Runs java where a release file falls short (default: a real run). */
  probe?: Probe;
  /** Replaces Deno.watchFs, for tests. */
  watchFs?: WatchFs;
  /** Receives errors of background refreshes and listeners. */
  onError?: (error: unknown) => void;
}
