/**
 * The agent's `plugin "milo" { config {} }` block.
 *
 * @module
 */

import { InvalidPluginConfigError } from "./errors.ts";
import {
  ConfigValueError,
  readBool,
  readString,
  readStringList,
  unknownKeys,
} from "./config_values.ts";
import { parseDuration } from "./duration.ts";

/** A validated plugin config. */
export interface PluginConfig {
  /** Where bundles, exit codes and crun's state live. */
  stateDir: string;
  /** crun binary; undefined means search PATH. */
  crunPath?: string;
  /** conmon binary; undefined means search PATH. */
  conmonPath?: string;
  /**
   * On hosts whose cgroup2 mount holds a controller while cgroup v1 holds
   * the rest, crun refuses every container. When true, Milo runs crun and
   * conmon in a private mount namespace without that cgroup2 mount.
   */
  cgroupHybridWorkaround: boolean;
  /** User for tasks that set none (the java driver's default too). */
  defaultUser: string;
  /** Directories whose children are Java runtime homes. */
  javaSearchPaths: string[];
  /** Java runtime homes to use besides those found by searching. */
  javaHomes: string[];
  /**
   * Also search the usual places (/usr/lib/jvm, /usr/java, /opt/java*,
   * /opt/*jdk*, /opt/*jre*); false limits the search to JAVA_HOME, java on
   * PATH, javaSearchPaths and javaHomes.
   */
  javaSearchDefaults: boolean;
  /** Version constraint for tasks that set no java_version or java_home. */
  defaultJavaVersion?: string;
  /** How often the runtime inventory is rebuilt without any change seen. */
  javaRefreshIntervalMs: number;
}

/** Defaults used for keys the operator leaves unset. */
export const DEFAULT_PLUGIN_CONFIG: Readonly<PluginConfig> = {
  stateDir: "/run/milo",
  cgroupHybridWorkaround: true,
  defaultUser: "nobody",
  javaSearchPaths: [],
  javaHomes: [],
  javaSearchDefaults: true,
  javaRefreshIntervalMs: 5 * 60_000,
};

const KEYS = [
  "state_dir",
  "crun_path",
  "conmon_path",
  "cgroup_hybrid_workaround",
  "default_user",
  "java_search_paths",
  "java_homes",
  "java_search_defaults",
  "default_java_version",
  "java_refresh_interval",
];

/**
 * Validates a decoded plugin config; an empty object gives the defaults.
 *
 * @throws {InvalidPluginConfigError} naming the key and the fix.
 */
export function parsePluginConfig(raw: Record<string, unknown>): PluginConfig {
  const unknown = unknownKeys(raw, KEYS);
  if (unknown.length > 0) {
    throw invalid(
      `unknown key ${unknown.map((k) => `"${k}"`).join(", ")}; ` +
        `known keys are ${KEYS.join(", ")}`,
    );
  }
  try {
    const config: PluginConfig = {
      stateDir: readString(raw, "state_dir") ?? DEFAULT_PLUGIN_CONFIG.stateDir,
      crunPath: readString(raw, "crun_path"),
      conmonPath: readString(raw, "conmon_path"),
      cgroupHybridWorkaround: readBool(
        raw,
        "cgroup_hybrid_workaround",
        DEFAULT_PLUGIN_CONFIG.cgroupHybridWorkaround,
      ),
      defaultUser: readString(raw, "default_user") ??
        DEFAULT_PLUGIN_CONFIG.defaultUser,
      javaSearchPaths: absolutePaths(raw, "java_search_paths"),
      javaHomes: absolutePaths(raw, "java_homes"),
      javaSearchDefaults: readBool(
        raw,
        "java_search_defaults",
        DEFAULT_PLUGIN_CONFIG.javaSearchDefaults,
      ),
      defaultJavaVersion: readString(raw, "default_java_version"),
      javaRefreshIntervalMs: refreshInterval(raw),
    };
    if (!config.stateDir.startsWith("/")) {
      throw invalid(
        `"state_dir" must be an absolute path, got "${config.stateDir}"`,
      );
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigValueError) throw invalid(error.message);
    throw error;
  }
}

function absolutePaths(raw: Record<string, unknown>, key: string): string[] {
  const paths = readStringList(raw, key);
  const relative = paths.find((path) => !path.startsWith("/"));
  if (relative !== undefined) {
    throw invalid(`"${key}" must hold absolute paths, got "${relative}"`);
  }
  return paths;
}

function refreshInterval(raw: Record<string, unknown>): number {
  const text = readString(raw, "java_refresh_interval");
  if (text === undefined) return DEFAULT_PLUGIN_CONFIG.javaRefreshIntervalMs;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw invalid(`"java_refresh_interval": ${(error as Error).message}`);
  }
  if (ms < 1000) {
    throw invalid(
      `"java_refresh_interval" must be at least "1s", got "${text}"`,
    );
  }
  return ms;
}

function invalid(detail: string): InvalidPluginConfigError {
  return new InvalidPluginConfigError(`Invalid plugin config: ${detail}`);
}
