/**
 * Checks of a {@linkcode ContainerSpecInput} before it becomes a spec, so
 * that a bad value fails here with a clear message instead of inside crun.
 *
 * @module
 */

import type { ContainerSpecInput } from "./spec.ts";

const ACTION = "Cannot build spec";

/**
 * Throws when the input cannot make a valid spec.
 *
 * @throws {TypeError} when argv is empty, a path that must be absolute is
 * not, or an environment variable cannot be written as `NAME=value`.
 * @throws {RangeError} when an id, limit or share is out of range.
 */
export function validateSpecInput(input: ContainerSpecInput): void {
  if (input.args.length === 0) {
    throw new TypeError(`${ACTION}: argv is empty`);
  }
  requireAbsolute("args[0]", input.args[0]);
  requireAbsolute("cwd", input.cwd);
  requireAbsolute("runtimeHome", input.runtimeHome);
  requireAbsolute("cgroupsPath", input.cgroupsPath);
  for (const [name, path] of Object.entries(input.taskMounts)) {
    requireAbsolute(`taskMounts.${name}`, path);
  }

  for (const [name, value] of Object.entries(input.env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      throw new TypeError(
        `${ACTION}: environment variable "${name}" has an invalid name`,
      );
    }
    if (value.includes("\0")) {
      throw new TypeError(
        `${ACTION}: environment variable "${name}" contains a NUL byte`,
      );
    }
  }

  const { uid, gid, additionalGids = [] } = input.user;
  for (const id of [uid, gid, ...additionalGids]) {
    requireInRange("user id", id, 0, 0xffffffff);
  }
  requireOptionalPositive("memoryLimitBytes", input.memoryLimitBytes);
  requireOptionalPositive(
    "memoryReservationBytes",
    input.memoryReservationBytes,
  );
  requireOptionalPositive("openFilesLimit", input.openFilesLimit);
  if (input.cpuShares !== undefined && !Number.isFinite(input.cpuShares)) {
    throw new RangeError(
      `${ACTION}: cpuShares "${input.cpuShares}" is not finite`,
    );
  }
}

function requireAbsolute(what: string, path: string | undefined): void {
  if (path === undefined || !path.startsWith("/")) {
    throw new TypeError(`${ACTION}: ${what} "${path}" is not an absolute path`);
  }
}

function requireInRange(
  what: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${ACTION}: ${what} "${value}" is out of range`);
  }
}

function requireOptionalPositive(what: string, value?: number): void {
  if (value !== undefined) requireInRange(what, value, 1, 2 ** 53);
}
