/**
 * Lists the places a runtime may live and the homes found there, before
 * anything is read from them.
 *
 * @module
 */

import { dirname, join } from "node:path";
import type { BrokenRuntime } from "./java_runtime.ts";

/** Directories whose children are runtime homes on common Linux systems. */
export const DEFAULT_ROOTS: readonly string[] = ["/usr/lib/jvm", "/usr/java"];

/** `/opt` entries that are runtime homes or hold them. */
const OPT_ENTRY = /^(?:java.*|.*jdk.*|.*jre.*)$/;

/** Where to look; see `DetectorOptions` for each field. */
export interface DiscoveryOptions {
  javaHome?: string;
  path?: string;
  searchPaths: string[];
  homes: string[];
  defaultRoots: boolean;
}

/** What discovery found. */
export interface Discovery {
  /** Real home to every path it was found under. */
  homes: Map<string, Set<string>>;
  /** Symlinked paths and the real path each pointed to. */
  links: Map<string, string>;
  /** Explicit homes that do not exist. */
  broken: BrokenRuntime[];
  /** Every root and explicit path looked at, in order. */
  searched: string[];
  /** Existing roots, to watch for runtimes coming and going. */
  roots: string[];
  /** Roots that do not exist (yet). */
  missing: string[];
}

/** Finds candidate homes. Never throws; unreadable roots are skipped. */
export async function discoverHomes(
  options: DiscoveryOptions,
): Promise<Discovery> {
  const found: Discovery = {
    homes: new Map(),
    links: new Map(),
    broken: [],
    searched: [],
    roots: [],
    missing: [],
  };
  const explicit = [options.javaHome, ...options.homes].filter(isSet);
  const roots = [...options.searchPaths];
  if (options.defaultRoots) {
    roots.push(...DEFAULT_ROOTS, ...await optRoots());
    // Watched so that a new /opt/jdk-21 is noticed.
    if (await realPath("/opt")) found.roots.push("/opt");
  }

  for (const home of explicit) await addExplicit(found, home);
  await addPathJava(found, options.path ?? "");
  for (const root of roots) await addRoot(found, root);
  return found;
}

async function optRoots(): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir("/opt")) {
      if (OPT_ENTRY.test(entry.name)) out.push(join("/opt", entry.name));
    }
  } catch {
    // No /opt: nothing to add.
  }
  return out.sort();
}

async function addExplicit(found: Discovery, home: string) {
  found.searched.push(home);
  const real = await realPath(home);
  if (real) return add(found, home, real, real);
  found.broken.push({ home, reason: `"${home}" does not exist` });
}

async function addPathJava(found: Discovery, path: string) {
  for (const dir of path.split(":").filter(Boolean)) {
    const java = join(dir, "java");
    const real = await realPath(java);
    if (!real) continue;
    found.searched.push(java);
    return add(found, java, dirname(dirname(real)), real);
  }
}

async function addRoot(found: Discovery, root: string) {
  found.searched.push(root);
  const real = await realPath(root);
  if (!real) return void found.missing.push(root);
  found.roots.push(real);
  if (await looksLikeHome(root)) return add(found, root, real, real);

  const children: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isFile) children.push(join(root, entry.name));
    }
  } catch {
    return;
  }
  const homes = await Promise.all(children.map(async (child) => {
    const real = await looksLikeHome(child) && await realPath(child);
    return real ? { child, real } : undefined;
  }));
  for (const home of homes.filter(isSet)) {
    add(found, home.child, home.real, home.real);
  }
}

// A child counts when it has bin/java (even dangling) or a release file;
// empty leftovers such as Debian's /usr/lib/jvm/openjdk-17 do not.
async function looksLikeHome(dir: string): Promise<boolean> {
  const exists = (path: string) =>
    Deno.lstat(path).then(() => true, () => false);
  return await exists(join(dir, "bin", "java")) ||
    await exists(join(dir, "release"));
}

function add(found: Discovery, alias: string, home: string, target: string) {
  const aliases = found.homes.get(home) ?? new Set<string>();
  aliases.add(alias);
  found.homes.set(home, aliases);
  if (alias !== target) found.links.set(alias, target);
}

function realPath(path: string): Promise<string | undefined> {
  return Deno.realPath(path).catch(() => undefined);
}

function isSet<T>(value: T | undefined | null | "" | false): value is T {
  return Boolean(value);
}
