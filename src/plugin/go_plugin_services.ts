/**
 * go-plugin's own services, served beside Nomad's: health ("plugin" must be
 * SERVING), the controller whose Shutdown ends the process, and harmless
 * stubs for the stdio and broker streams the client opens on connect
 * (go-plugin v1.8.0 `grpc_server.go`, `grpc_controller.go`).
 *
 * @module
 */

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

/** The health service: "plugin" and "" are SERVING. */
export function healthService(): HealthServer {
  const statusOf = (service: string) =>
    service === HEALTH_SERVICE_NAME || service === ""
      ? Serving.SERVING
      : Serving.SERVICE_UNKNOWN;
  return {
    check: (call, callback) =>
      callback(null, { status: statusOf(call.request.service) }),
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
