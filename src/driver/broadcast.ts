/**
 * A fan-out of values to any number of async-iterating subscribers, for the
 * never-ending Fingerprint and TaskEvents streams.
 *
 * @module
 */

/** Delivers every published value to every live subscriber. */
export class Broadcast<T> {
  #subscribers = new Set<(value: T) => void>();
  #latest?: { value: T };
  readonly #replayLatest: boolean;

  /**
   * Creates a broadcast. With `replayLatest`, a new subscriber first gets
   * the last published value (a fingerprint stream's first message).
   */
  constructor(options: { replayLatest?: boolean } = {}) {
    this.#replayLatest = options.replayLatest ?? false;
  }

  /** The last published value, if any. */
  get latest(): T | undefined {
    return this.#latest?.value;
  }

  /** Sends `value` to all subscribers. */
  publish(value: T): void {
    this.#latest = { value };
    for (const deliver of this.#subscribers) deliver(value);
  }

  /** Number of live subscribers. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** Yields values until `signal` aborts; then returns cleanly. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<T> {
    const queue: T[] = [];
    let wake: (() => void) | undefined;
    const deliver = (value: T) => {
      queue.push(value);
      wake?.();
    };
    const onAbort = () => wake?.();
    if (this.#replayLatest && this.#latest) queue.push(this.#latest.value);
    this.#subscribers.add(deliver);
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    } finally {
      this.#subscribers.delete(deliver);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
