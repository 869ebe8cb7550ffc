/**
 * One full detection: discover homes, inspect each, sort.
 *
 * @module
 */

import { dirname } from "node:path";
import { discoverHomes, type DiscoveryOptions } from "./discover_homes.ts";
import { inspectHome, type InspectOptions } from "./inspect_home.ts";
import type { Inventory } from "./java_runtime.ts";
import { compareRuntimes } from "./select_runtime.ts";

/** An inventory plus what the detector needs to tell when it goes stale. */
export interface Detection {
  /** What was found. */
  inventory: Inventory;
  /** Real home to its release file's mtime in ms (null: no file). */
  releaseMtimes: Map<string, number | null>;
  /** Symlinked paths to the real path each resolved to. */
  links: Map<string, string>;
  /** Existing directories whose changes may change the inventory. */
  watchPaths: string[];
}

/**
 * Detects every runtime. Never throws for a bad home: it lands in
 * `inventory.broken` and the others are still inspected (in parallel, so
 * a hanging probe costs at most one probe timeout).
 */
export async function detectInventory(
  discovery: DiscoveryOptions,
  inspect: InspectOptions,
  clock: () => number,
): Promise<Detection> {
  const found = await discoverHomes(discovery);
  const homes = [...found.homes.keys()];
  const results = await Promise.all(
    homes.map((home) => inspectHome(home, inspect)),
  );

  const inventory: Inventory = {
    runtimes: [],
    broken: [...found.broken],
    searched: found.searched,
    checkedAt: 0,
  };
  const releaseMtimes = new Map<string, number | null>();
  for (const result of results) {
    if (!result.ok) {
      inventory.broken.push(result.broken);
      continue;
    }
    const { runtime } = result;
    runtime.aliases = [...found.homes.get(runtime.home)!].sort();
    inventory.runtimes.push(runtime);
    releaseMtimes.set(runtime.home, result.releaseMtime);
  }
  inventory.runtimes.sort(compareRuntimes);
  inventory.checkedAt = clock();

  return {
    inventory,
    releaseMtimes,
    links: found.links,
    watchPaths: await watchPaths(found.roots, found.missing, homes),
  };
}

// Missing roots are watched through their parent when that exists, so a
// root created later is noticed; deeper absences wait for the periodic
// refresh.
async function watchPaths(
  roots: string[],
  missing: string[],
  homes: string[],
): Promise<string[]> {
  const parents: string[] = [];
  for (const root of missing) {
    const parent = dirname(root);
    const exists = await Deno.stat(parent).then((s) => s.isDirectory)
      .catch(() => false);
    if (exists) parents.push(parent);
  }
  return [...new Set([...roots, ...parents, ...homes])].sort();
}
