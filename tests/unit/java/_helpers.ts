/**
 * Fake runtimes on disk and fake timers for the Java tests.
 *
 * @module
 */

import { join } from "node:path";
import type { Timers } from "../../../src/fs/timers.ts";

/** A release file like Temurin's for the given version. */
export function releaseText(version: string, vendor = "Eclipse Adoptium") {
  return [
    `IMPLEMENTOR="${vendor}"`,
    `JAVA_RUNTIME_VERSION="${version}"`,
    `JAVA_VERSION="${version.split("+")[0]}"`,
    `OS_ARCH="x86_64"`,
    "",
  ].join("\n");
}

/** Options of {@linkcode makeRuntime}. */
export interface FakeRuntime {
  /** Release file text; null writes none. */
  release?: string | null;
  /** Version the fake java prints on stderr (plain -version style). */
  printed?: string;
  /** Shell body of bin/java instead of the printing script. */
  script?: string;
  /** Write bin/java at all (default true). */
  java?: boolean;
  /** Also write bin/javac (default true). */
  javac?: boolean;
}

/** Creates a fake runtime home: a release file and a bin/java script. */
export async function makeRuntime(home: string, fake: FakeRuntime = {}) {
  const printed = fake.printed ?? "21.0.2+13";
  await Deno.mkdir(join(home, "bin"), { recursive: true });
  if (fake.release !== null) {
    await Deno.writeTextFile(
      join(home, "release"),
      fake.release ?? releaseText(printed),
    );
  }
  const script = fake.script ??
    `echo 'openjdk version "${printed.split("+")[0]}" 2024-01-16' >&2\n` +
      `echo 'OpenJDK Runtime Environment (build ${printed})' >&2`;
  if (fake.java !== false) await writeScript(join(home, "bin", "java"), script);
  if (fake.javac !== false) await writeScript(join(home, "bin", "javac"), "");
}

async function writeScript(path: string, body: string) {
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
}

/** Timers run by hand: `advance(ms)` fires what is due, in order. */
export class FakeTimers implements Timers {
  now = 1_000_000;
  #next = 1;
  #due = new Map<number, { at: number; fn: () => void }>();

  /** The clock to inject next to these timers. */
  clock = (): number => this.now;

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.#due.delete(id as number);
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#due.size;
  }

  /** Moves the clock and runs every timer that falls due. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.#due].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > until) break;
      this.#due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
  }
}

/** A watchFs stand-in whose events the test emits by hand. */
export class FakeWatch {
  /** Paths of every watch opened, in order. */
  opened: string[][] = [];
  #push?: () => void;

  /** Emits one event on the open watch. */
  emit(): void {
    this.#push?.();
  }

  /** The function to inject as `watchFs`. */
  watchFs = (paths: string[]) => {
    this.opened.push(paths);
    const queue: number[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    this.#push = () => {
      queue.push(1);
      wake?.();
    };
    const close = () => {
      closed = true;
      wake?.();
    };
    return {
      close,
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => wake = resolve);
            continue;
          }
          yield queue.shift();
        }
      },
    };
  };
}

/**
 * Yields to the event loop until `done()` holds. This waits for fs ops
 * to finish, not for time to pass: expiry and debounce use FakeTimers.
 */
export async function until(done: () => boolean, turns = 1000) {
  for (let i = 0; i < turns && !done(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!done()) throw new Error("Cannot reach the expected state: gave up");
}
