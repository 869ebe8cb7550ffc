/**
 * Waiting with a bound, and expecting a gRPC call to fail.
 *
 * @module
 */

import type { ServiceError } from "@grpc/grpc-js";

/**
 * Resolves as `promise` does, or rejects after `ms` naming `what`. The
 * timer never outlives the call.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The gRPC error `promise` rejects with.
 *
 * @throws {Error} when it resolves instead.
 */
export async function grpcError(promise: Promise<unknown>): Promise<
  ServiceError
> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("Expected a gRPC error, but the call succeeded");
}
