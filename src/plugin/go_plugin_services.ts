/**
 * go-plugin's own services, served beside Nomad's: health ("plugin" must be
 * SERVING), the controller whose Shutdown ends the process, and harmless
 * stubs for the stdio and broker streams the client opens on connect
 * (go-plugin v1.8.0 `grpc_server.go`, `grpc_controller.go`).
 *
 * @module
 */

import { status as Code } from "@grpc/grpc-js";
import {
  HealthCheckResponse_ServingStatus as Serving,
  type HealthServer,
} from "../gen/grpc/health.ts";
import type {
  GRPCBrokerServer,
  GRPCControllerServer,
  GRPCStdioServer,
} from "../gen/plugin/go_plugin.ts";

/** go-plugin's health service name for the plugin itself. */
export const HEALTH_SERVICE_NAME = "plugin";

/**
 * The health service: "plugin" and "" are SERVING; any other name fails
 * with NOT_FOUND, as grpc-go's health server answers.
 */
export function healthService(): HealthServer {
  const known = (service: string) =>
    service === HEALTH_SERVICE_NAME || service === "";
  const statusOf = (service: string) =>
    known(service) ? Serving.SERVING : Serving.SERVICE_UNKNOWN;
  return {
    check: (call, callback) => {
      const { service } = call.request;
      if (known(service)) return callback(null, { status: Serving.SERVING });
      callback({
        code: Code.NOT_FOUND,
        details: `unknown service "${service}"; this plugin serves "plugin"`,
      });
    },
    watch: (call) => {
      call.write({ status: statusOf(call.request.service) });
      // Stays open, as the protocol wants, until the client leaves.
    },
  };
}

/** The controller: Shutdown answers, then runs `onShutdown`. */
export function controllerService(
  onShutdown: () => void,
): GRPCControllerServer {
  return {
    shutdown: (_call, callback) => {
      callback(null, {});
      // Let the reply leave before the server goes away.
      setTimeout(onShutdown, 0);
    },
  };
}

/**
 * The stdio stream: Milo never writes to its stdout after the handshake
 * and logs to stderr directly, so it has nothing to forward. The stream
 * stays open without data until the client cancels it.
 */
export function stdioService(): GRPCStdioServer {
  return { streamStdio: () => {} };
}

/** The broker: Nomad drivers never broker connections; read until closed. */
export function brokerService(): GRPCBrokerServer {
  return {
    startStream: (call) => {
      call.on("data", () => {});
      call.on("end", () => call.end());
    },
  };
}
