/**
 * Keeps the fingerprint current: the host and the Java runtimes are
 * checked at once, again within moments of a change in a directory where
 * a dependency lives (watched with Deno.watchFs, debounced), and at least
 * every 30 s. Only changes are published; a repeat costs no process spawn.
 *
 * @module
 */

import { DebouncedWatch, denoWatchFs } from "../fs/debounced_watch.ts";
import { REAL_TIMERS } from "../fs/timers.ts";
import type { CgroupLayout } from "../crun/cgroup_layout.ts";
import { errorText, type Logger } from "../log/logger.ts";
import { Broadcast } from "./broadcast.ts";
import { fingerprintHost } from "./fingerprint.ts";
import { type Host, HostChecker } from "./host.ts";
import type { JavaRuntimes } from "./java_runtimes.ts";
import type { PluginConfig } from "./plugin_config.ts";
import type { Fingerprint } from "./types.ts";

/** The longest a fingerprint goes unrepeated (Nomad's java driver: 30 s). */
export const FINGERPRINT_INTERVAL_MS = 30_000;

/** Quiet time after a directory event before the host is checked again. */
const DEBOUNCE_MS = 200;

/** How often tool directories are stat'ed for what watchFs misses. */
const POLL_MS = 1000;

/** Host checks and fingerprints for one plugin config. */
export class HealthMonitor {
  readonly #checker: HostChecker;
  readonly #java: JavaRuntimes;
  readonly #config: PluginConfig;
  readonly #version: string;
  readonly #logger: Logger;
  readonly #published = new Broadcast<Fingerprint>({ replayLatest: true });
  #latest?: Promise<Host>;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #intervalMs: number;
  #timer?: ReturnType<typeof setInterval>;
  #watch?: DebouncedWatch;

  /** Creates the monitor; nothing is checked until asked. */
  constructor(
    options: {
      config: PluginConfig;
      java: JavaRuntimes;
      version: string;
      logger: Logger;
      /** Where crun and conmon are searched (the plugin's PATH). */
      path?: string;
      /** Replaces reading the host's cgroup layout (tests). */
      cgroup?: () => Promise<CgroupLayout>;
      /** The longest a fingerprint goes unrepeated (default 30 s). */
      intervalMs?: number;
    },
  ) {
    this.#config = options.config;
    this.#java = options.java;
    this.#version = options.version;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? FINGERPRINT_INTERVAL_MS;
    this.#checker = new HostChecker(options.config, options.logger, {
      path: options.path,
      cgroup: options.cgroup,
    });
  }

  /** How many times crun or conmon were run to ask their version. */
  get toolSpawns(): number {
    return this.#checker.toolSpawns;
  }

  /** The last host check, or a new one when there is none. */
  host(): Promise<Host> {
    this.#latest ??= this.#checker.check();
    return this.#latest;
  }

  /** Checks the host again (for example before failing a task). */
  recheck(): Promise<Host> {
    const next = this.#checker.check();
    this.#latest = next;
    return next;
  }

  /**
   * Checks everything, publishes the fingerprint if it changed. Calls run
   * one after another, so what is published is never older than what was.
   * Never rejects: a check that throws is reported as unhealthy.
   */
  refresh(): Promise<Fingerprint> {
    const next = this.#queue.then(() => this.#refresh());
    this.#queue = next.catch(() => {});
    return next;
  }

  async #refresh(): Promise<Fingerprint> {
    let fingerprint: Fingerprint;
    try {
      const host = await this.recheck();
      const java = await this.#java.inventory().catch((error: Error) => error);
      fingerprint = fingerprintHost(
        host,
        java,
        this.#version,
        this.#config.defaultJavaVersion,
      );
    } catch (error) {
      this.#logger.error("host check failed", { error });
      const problem = `cannot check the host: ${errorText(error)}`;
      fingerprint = {
        health: "unhealthy",
        description: problem,
        problems: [problem],
        attributes: { "driver.milo.version": this.#version },
      };
    }
    const last = this.#published.latest;
    if (!last || JSON.stringify(last) !== JSON.stringify(fingerprint)) {
      this.#published.publish(fingerprint);
    }
    return fingerprint;
  }

  /**
   * The fingerprint stream: the current one at once, then every change,
   * and the latest again at least every 30 s.
   */
  async *fingerprints(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    this.#start();
    if (!this.#published.latest) await this.refresh();
    yield* this.#published.subscribe(signal);
  }

  /** Stops timers and watches; the exit watcher stays for running tasks. */
  async close(closeExits: boolean): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#watch?.close();
    this.#watch = undefined;
    if (closeExits) await this.#checker.close();
  }

  #start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      // Nomad keeps the last message; repeat it even when nothing changed.
      void this.refresh().then((fingerprint) => {
        if (this.#published.latest === fingerprint) return;
        this.#published.publish(this.#published.latest ?? fingerprint);
      });
    }, this.#intervalMs);
    const dirs = this.#checker.toolDirs().filter(isDirectory);
    if (dirs.length === 0) return;
    try {
      this.#watch = new DebouncedWatch(dirs, {
        watchFs: denoWatchFs,
        timers: REAL_TIMERS,
        debounceMs: DEBOUNCE_MS,
        pollMs: POLL_MS,
        onChange: () => void this.refresh(),
      });
    } catch (error) {
      this.#logger.warn("cannot watch tool directories", { error });
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
