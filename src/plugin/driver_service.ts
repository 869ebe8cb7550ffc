/**
 * Nomad's Driver service: each handler decodes, calls the driver, encodes.
 *
 * @module
 */

import {
  DriverCapabilities_FSIsolation as FSIsolation,
  DriverCapabilities_MountConfigs as MountConfigs,
  type DriverServer,
  NetworkIsolationSpec_NetworkIsolationMode as NetworkMode,
  TaskState,
} from "../gen/nomad/driver.ts";
import type { Driver } from "../driver/driver.ts";
import type { Logger } from "../log/logger.ts";
import {
  bytes,
  durationMs,
  eventToProto,
  exitResultToProto,
  fingerprintToProto,
  taskRequestFromProto,
  taskStatusToProto,
} from "./convert.ts";
import {
  serverStream,
  unary,
  unimplementedStream,
  unimplementedUnary,
} from "./rpc.ts";
import { TASK_CONFIG_SPEC } from "./schemas.ts";
import { StatusError } from "./status.ts";
import { status as Code } from "@grpc/grpc-js";

/** Builds the Driver handlers. */
export function driverService(driver: Driver, logger: Logger): DriverServer {
  return {
    init: unary(logger, "Init", () => ({})),

    taskConfigSchema: unary(logger, "TaskConfigSchema", () => ({
      spec: TASK_CONFIG_SPEC,
    })),

    capabilities: unary(logger, "Capabilities", () => ({
      capabilities: {
        // Only what works today: signals and exec come with their RPCs.
        sendSignals: false,
        exec: false,
        // Tasks see /local, /secrets and /alloc, so Nomad puts those
        // container paths (not host paths) in NOMAD_TASK_DIR and friends.
        fsIsolation: FSIsolation.IMAGE,
        networkIsolationModes: [NetworkMode.HOST],
        mustCreateNetwork: false,
        mountConfigs: MountConfigs.NO_MOUNTS,
        disableLogCollection: false,
        dynamicWorkloadUsers: false,
      },
    })),

    fingerprint: serverStream(
      logger,
      "Fingerprint",
      (_request, signal) =>
        map(driver.fingerprints(signal), fingerprintToProto),
    ),

    taskEvents: serverStream(
      logger,
      "TaskEvents",
      (_request, signal) => map(driver.events(signal), eventToProto),
    ),

    startTask: unary(logger, "StartTask", async (request) => {
      if (!request.task) {
        throw new StatusError(
          Code.INVALID_ARGUMENT,
          "StartTask: task is missing",
        );
      }
      const started = await driver.startTask(
        taskRequestFromProto(request.task),
      );
      return {
        result: 0,
        driverErrorMsg: "",
        handle: {
          version: started.version,
          config: request.task,
          state: TaskState.RUNNING,
          driverState: bytes(started.driverState),
        },
      };
    }),

    waitTask: unary(logger, "WaitTask", async (request, signal) => {
      const result = await driver.waitTask(request.taskId, signal);
      return { result: exitResultToProto(result), err: result.err ?? "" };
    }),

    stopTask: unary(logger, "StopTask", async (request) => {
      await driver.stopTask(
        request.taskId,
        durationMs(request.timeout),
        request.signal,
      );
      return {};
    }),

    destroyTask: unary(logger, "DestroyTask", async (request) => {
      await driver.destroyTask(request.taskId, request.force);
      return {};
    }),

    inspectTask: unary(logger, "InspectTask", async (request) => {
      const status = await driver.inspectTask(request.taskId);
      return {
        task: taskStatusToProto(status),
        driver: { attributes: status.attributes },
      };
    }),

    shutdown: unary(logger, "Shutdown", async () => {
      await driver.shutdown();
      return {};
    }),

    recoverTask: unimplementedUnary("RecoverTask"),
    taskStats: unimplementedStream("TaskStats"),
    signalTask: unimplementedUnary("SignalTask"),
    execTask: unimplementedUnary("ExecTask"),
    execTaskStreaming: unimplementedStream("ExecTaskStreaming"),
    createNetwork: unimplementedUnary(
      "CreateNetwork",
      "Milo does not create networks (must_create_network is false)",
    ),
    destroyNetwork: unimplementedUnary(
      "DestroyNetwork",
      "Milo does not create networks (must_create_network is false)",
    ),
  };
}

async function* map<T, U>(
  source: AsyncIterable<T>,
  fn: (value: T) => U,
): AsyncGenerator<U> {
  for await (const value of source) yield fn(value);
}
