/**
 * The driver's Java runtimes: one cached detector per plugin config, and
 * the translation of its answers into task start errors.
 *
 * @module
 */

import {
  describeRuntime,
  type Inventory,
  type JavaRuntime,
  NoMatchingRuntimeError,
  RuntimeDetector,
} from "../java/mod.ts";
import { InvalidTaskConfigError, StartFailedError } from "./errors.ts";
import type { PluginConfig } from "./plugin_config.ts";
import type { JavaTaskConfig } from "./task_config.ts";

/** Where the plugin itself looks for `java` (its JAVA_HOME and PATH). */
export interface JavaEnv {
  JAVA_HOME?: string;
  PATH?: string;
}

/** Owns the runtime detector for one plugin config. */
export class JavaRuntimes {
  readonly #detector: RuntimeDetector;
  readonly #defaultVersion?: string;

  /**
   * Creates the detector (nothing is searched until the first lookup);
   * `onChange` runs after each detection that changed the inventory.
   */
  constructor(
    config: PluginConfig,
    env: JavaEnv,
    onChange: (inventory: Inventory) => void,
    onError: (error: unknown) => void,
  ) {
    this.#defaultVersion = config.defaultJavaVersion;
    this.#detector = new RuntimeDetector({
      javaHome: env.JAVA_HOME,
      path: env.PATH,
      searchPaths: config.javaSearchPaths,
      homes: config.javaHomes,
      defaultRoots: config.javaSearchDefaults,
      refreshIntervalMs: config.javaRefreshIntervalMs,
      onError,
    });
    this.#detector.subscribe(onChange);
  }

  /** The current inventory (cached). */
  inventory(): Promise<Inventory> {
    return this.#detector.inventory();
  }

  /**
   * The runtime for a task: its java_home, else its java_version, else the
   * plugin's default_java_version, else the newest.
   *
   * @throws {InvalidTaskConfigError} for a malformed java_version.
   * @throws {StartFailedError} (not recoverable) when nothing matches, so
   * Nomad fails the allocation and can place it on a node that has one.
   */
  async select(task: string, config: JavaTaskConfig): Promise<JavaRuntime> {
    try {
      return await this.#detector.select({
        javaVersion: config.javaVersion,
        javaHome: config.javaHome,
        defaultVersion: this.#defaultVersion,
      });
    } catch (error) {
      if (error instanceof TypeError) {
        throw new InvalidTaskConfigError(
          `Invalid task config: ${error.message}`,
          { cause: error },
        );
      }
      if (error instanceof NoMatchingRuntimeError) {
        throw new StartFailedError(
          `Cannot start task "${task}": ${error.message}`,
          false,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Releases watchers and timers. */
  close(): Promise<void> {
    return this.#detector.close();
  }
}

/** "using Java 25.0.3 (Eclipse Adoptium) at /usr/lib/jvm/..." */
export function usingMessage(runtime: JavaRuntime): string {
  return `using Java ${describeRuntime(runtime)}`;
}
