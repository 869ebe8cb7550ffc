/**
 * Checks shared by the protocol tests: hclog JSON lines on stderr, and
 * following a server stream.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ClientReadableStream } from "@grpc/grpc-js";

const HCLOG_TIMESTAMP =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const HCLOG_LEVELS = ["trace", "debug", "info", "warn", "error"];

/** Asserts that `line` is what go-plugin parses as an hclog JSON entry. */
export function assertHclogLine(line: string): void {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    assert.fail(`not a JSON line: ${line}`);
  }
  assert.equal(typeof entry, "object", line);
  assert.equal(typeof entry["@level"], "string", line);
  assert.ok(HCLOG_LEVELS.includes(entry["@level"]), line);
  assert.equal(typeof entry["@message"], "string", line);
  assert.equal(typeof entry["@timestamp"], "string", line);
  assert.match(entry["@timestamp"], HCLOG_TIMESTAMP, line);
}

/** Follows a server stream: its messages, and whether it ended. */
export function follow<T>(stream: ClientReadableStream<T>) {
  const messages: T[] = [];
  const first = Promise.withResolvers<T>();
  const failed = Promise.withResolvers<never>();
  let ended: string | undefined;
  let cancelled = false;
  stream.on("data", (message: T) => {
    messages.push(message);
    first.resolve(message);
  });
  stream.on("end", () => ended ??= "end");
  stream.on("error", (error: Error & { code?: number }) => {
    if (cancelled) return;
    ended ??= `error ${error.code}: ${error.message}`;
    failed.reject(error);
  });
  // Unobserved unless a test awaits it.
  failed.promise.catch(() => {});
  return {
    messages,
    first: first.promise,
    failed: failed.promise,
    get ended() {
      return ended;
    },
    cancel() {
      cancelled = true;
      stream.cancel();
    },
  };
}

/**
 * Resolves once `condition()` holds.
 *
 * @throws {Error} naming `what` when `ms` pass first.
 */
export async function waitUntil(
  condition: () => boolean,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
