/**
 * Conversions between Nomad's protobuf messages and the driver's plain
 * types. Only src/plugin knows both sides.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Attribute } from "../gen/nomad/structs.ts";
import type { Duration } from "../gen/google/protobuf/duration.ts";
import {
  type DriverTaskEvent,
  type ExitResult as ExitResultProto,
  FingerprintResponse,
  FingerprintResponse_HealthState as HealthState,
  type TaskConfig,
  TaskState as TaskStateProto,
  type TaskStatus as TaskStatusProto,
} from "../gen/nomad/driver.ts";
import type {
  DriverEvent,
  ExitResult,
  Fingerprint,
  TaskRequest,
  TaskState,
  TaskStatus,
} from "../driver/types.ts";
import { decodeCtyObject } from "./cty_msgpack.ts";
import { StatusError } from "./status.ts";
import { status as Code } from "@grpc/grpc-js";

/** Builds the driver's request from StartTask's TaskConfig. */
export function taskRequestFromProto(task: TaskConfig): TaskRequest {
  for (const key of ["id", "name", "allocDir"] as const) {
    if (!task[key]) {
      throw new StatusError(
        Code.INVALID_ARGUMENT,
        `Cannot start task: task.${key} is empty; Nomad always sets it`,
      );
    }
  }
  const linux = task.resources?.linuxResources;
  const allocated = task.resources?.allocatedResources;
  return {
    id: task.id,
    name: task.name,
    allocId: task.allocId,
    jobName: task.jobName,
    taskGroupName: task.taskGroupName,
    namespace: task.namespace,
    allocDir: task.allocDir,
    stdoutPath: task.stdoutPath || "/dev/null",
    stderrPath: task.stderrPath || "/dev/null",
    env: { ...task.env },
    user: task.user,
    resources: {
      memoryMb: allocated?.memory?.memoryMb || undefined,
      memoryMaxMb: allocated?.memory?.memoryMaxMb || undefined,
      memoryLimitBytes: linux?.memoryLimitBytes || undefined,
      cpuShares: linux?.cpuShares || allocated?.cpu?.cpuShares || undefined,
    },
    config: decodeCtyObject(
      task.msgpackDriverConfig ?? new Uint8Array(),
      `the task config of "${task.name}" (msgpack_driver_config)`,
    ),
  };
}

/** A Duration in milliseconds (0 when unset). */
export function durationMs(duration?: Duration): number {
  if (!duration) return 0;
  return duration.seconds * 1000 + Math.floor(duration.nanos / 1e6);
}

/** ExitResult for the wire. */
export function exitResultToProto(result: ExitResult): ExitResultProto {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    oomKilled: result.oomKilled,
  };
}

/** TaskStatus for the wire; both timestamps are always set. */
export function taskStatusToProto(status: TaskStatus): TaskStatusProto {
  return {
    id: status.id,
    name: status.name,
    state: taskStateToProto(status.state),
    startedAt: status.startedAt,
    // The Go client dereferences both timestamps; zero means "not yet".
    completedAt: status.completedAt ?? new Date(0),
    result: status.result ? exitResultToProto(status.result) : undefined,
  };
}

function taskStateToProto(state: TaskState): TaskStateProto {
  switch (state) {
    case "running":
      return TaskStateProto.RUNNING;
    case "exited":
      return TaskStateProto.EXITED;
    default:
      return TaskStateProto.UNKNOWN;
  }
}

/** A fingerprint for the wire; empty attribute values are left out. */
export function fingerprintToProto(
  fingerprint: Fingerprint,
): FingerprintResponse {
  const attributes: Record<string, Attribute> = {};
  for (const [key, value] of Object.entries(fingerprint.attributes)) {
    if (value === "") continue;
    attributes[key] = attributeOf(value);
  }
  return FingerprintResponse.fromPartial({
    attributes,
    health: {
      undetected: HealthState.UNDETECTED,
      unhealthy: HealthState.UNHEALTHY,
      healthy: HealthState.HEALTHY,
    }[fingerprint.health],
    healthDescription: fingerprint.description,
  });
}

function attributeOf(value: string | number | boolean): Attribute {
  if (typeof value === "boolean") {
    return { value: { $case: "boolVal", value }, unit: "" };
  }
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? { value: { $case: "intVal", value }, unit: "" }
      : { value: { $case: "floatVal", value }, unit: "" };
  }
  return { value: { $case: "stringVal", value }, unit: "" };
}

/** A task event for the wire. */
export function eventToProto(event: DriverEvent): DriverTaskEvent {
  return {
    taskId: event.taskId,
    allocId: event.allocId,
    taskName: event.taskName,
    timestamp: event.timestamp,
    message: event.message,
    annotations: event.annotations,
  };
}

/** Bytes for a protobuf `bytes` field (ts-proto types them as Buffer). */
export function bytes(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
