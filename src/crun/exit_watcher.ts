/**
 * One watcher on conmon's shared exit directory, resolving waiters when a
 * container's exit file appears.
 *
 * @module
 */

import { basename, join } from "node:path";
import { isMonitorAlive } from "./_proc.ts";

/** How a container ended. */
export interface ContainerExit {
  /** conmon's exit code (see {@linkcode parseExitFile}); -1 if unknown. */
  exitCode: number;
  /** Set when conmon died without writing an exit file. */
  monitorDied?: boolean;
}

/** Options of {@linkcode ExitWatcher}. */
export interface ExitWatcherOptions {
  /** Milliseconds between safety-net checks; defaults to 1000. */
  pollIntervalMs?: number;
  /** Liveness test of a monitor pid; defaults to reading /proc. */
  isMonitorAlive?: (pid: number) => boolean | Promise<boolean>;
}

interface Waiter {
  monitorPid: number;
  resolve: (exit: ContainerExit) => void;
  reject: (error: unknown) => void;
}

/**
 * Parses the file conmon writes into its exit directory, named after the
 * container: the decimal exit status, no newline. conmon 2.1.6
 * (`get_exit_status` in src/ctr_exit.c) writes the process's exit code,
 * 128 + N when signal N killed it (137 for SIGKILL, 143 for SIGTERM; the
 * same number a shell reports), and -1 when its `--timeout` fired. Returns
 * null for an empty file.
 *
 * @throws {SyntaxError} when the text is not a whole number.
 */
export function parseExitFile(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!/^-?\d+$/.test(trimmed)) {
    throw new SyntaxError(`Cannot parse exit file: "${trimmed}"`);
  }
  return Number(trimmed);
}

/**
 * Waits for containers of one exit directory to end. Watching with inotify
 * and a timer runs only while someone waits; {@linkcode close} ends all.
 * Give it the directory's real path: `Deno.watchFs` misses events through
 * symlinks (denoland/deno#27560), leaving only the timer.
 */
export class ExitWatcher {
  #exitDir: string;
  #pollIntervalMs: number;
  #isMonitorAlive: (pid: number) => boolean | Promise<boolean>;
  #waiters = new Map<string, Set<Waiter>>();
  #watcher: Deno.FsWatcher | null = null;
  #loops = new Set<Promise<void>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** Remembers the directory; nothing is watched until a wait begins. */
  constructor(exitDir: string, options: ExitWatcherOptions = {}) {
    this.#exitDir = exitDir;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#isMonitorAlive = options.isMonitorAlive ?? isMonitorAlive;
  }

  /**
   * Resolves with the exit code once `<exitDir>/<id>` exists; at once if
   * it already does. If conmon (`monitorPid`) dies without writing it,
   * resolves with exitCode -1 and `monitorDied`.
   *
   * @throws {Error} the signal's reason when `signal` aborts the wait, or
   * "Cannot wait for container ..." when the watcher is closed.
   */
  waitForExit(
    id: string,
    monitorPid: number,
    signal?: AbortSignal,
  ): Promise<ContainerExit> {
    if (this.#closed) return Promise.reject(this.#closedError(id));
    if (signal?.aborted) return Promise.reject(signal.reason);

    const { promise, resolve, reject } = Promise.withResolvers<
      ContainerExit
    >();
    const waiter: Waiter = { monitorPid, resolve, reject };
    try {
      this.#add(id, waiter);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(
        new Error(`Cannot wait for container "${id}": ${reason}`, {
          cause: error,
        }),
      );
    }

    const onAbort = () => {
      this.#remove(id, waiter);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.finally(() => signal?.removeEventListener("abort", onAbort))
      .catch(() => {});

    this.#check(id);
    return promise;
  }

  /**
   * Stops watching and rejects every pending wait. Resolves when the
   * inotify watcher has fully shut down.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [id, waiters] of this.#waiters) {
      for (const waiter of waiters) waiter.reject(this.#closedError(id));
    }
    this.#waiters.clear();
    this.#stop();
    await Promise.all([...this.#loops]);
  }

  #add(id: string, waiter: Waiter): void {
    this.#startIfIdle();
    let waiters = this.#waiters.get(id);
    if (waiters === undefined) this.#waiters.set(id, waiters = new Set());
    waiters.add(waiter);
  }

  #remove(id: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(id);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.#waiters.delete(id);
    if (this.#waiters.size === 0) this.#stop();
  }

  #startIfIdle(): void {
    if (this.#watcher !== null) return;
    const watcher = Deno.watchFs(this.#exitDir, { recursive: false });
    this.#watcher = watcher;
    const loop = this.#consume(watcher).finally(() => {
      this.#loops.delete(loop);
    });
    this.#loops.add(loop);
    this.#timer = setInterval(() => this.#checkAll(), this.#pollIntervalMs);
  }

  #stop(): void {
    this.#watcher?.close();
    this.#watcher = null;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #consume(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const event of watcher) {
        for (const path of event.paths) this.#check(basename(path));
      }
    } catch {
      // Closing the watcher may end the iteration with an error; the
      // timer still covers every waiter until it stops.
    }
  }

  #checkAll(): void {
    for (const id of this.#waiters.keys()) this.#check(id);
  }

  // Fire and forget: every outcome settles waiters, never throws.
  #check(id: string): void {
    if (!this.#waiters.has(id)) return;
    this.#settle(id).catch((error) => this.#settleAll(id, { error }));
  }

  async #settle(id: string): Promise<void> {
    const exitCode = this.#readExitFile(id);
    if (exitCode !== null) return this.#settleAll(id, { exitCode });

    for (const waiter of [...this.#waiters.get(id) ?? []]) {
      if (await this.#isMonitorAlive(waiter.monitorPid)) continue;
      // conmon writes the file before it exits: look once more.
      const late = this.#readExitFile(id);
      if (late !== null) return this.#settleAll(id, { exitCode: late });
      this.#remove(id, waiter);
      waiter.resolve({ exitCode: -1, monitorDied: true });
    }
  }

  // Synchronous: a few bytes from the local state dir. The safety net
  // reads one file per waiter every second, and an async read costs far
  // more than the read itself when many tasks run.
  #readExitFile(id: string): number | null {
    try {
      return parseExitFile(Deno.readTextFileSync(join(this.#exitDir, id)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  #settleAll(
    id: string,
    outcome: { exitCode: number } | { error: unknown },
  ): void {
    for (const waiter of [...this.#waiters.get(id) ?? []]) {
      this.#remove(id, waiter);
      if ("error" in outcome) waiter.reject(outcome.error);
      else waiter.resolve({ exitCode: outcome.exitCode });
    }
  }

  #closedError(id: string): Error {
    return new Error(
      `Cannot wait for container "${id}": the exit watcher is closed`,
    );
  }
}
