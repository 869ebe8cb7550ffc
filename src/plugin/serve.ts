/**
 * Plugin mode: the go-plugin handshake, the gRPC server on a unix socket,
 * and an orderly exit on GRPCController.Shutdown or SIGTERM.
 *
 * @module
 */

import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { BasePluginService } from "../gen/nomad/base.ts";
import { DriverService } from "../gen/nomad/driver.ts";
import { HealthService } from "../gen/grpc/health.ts";
import {
  GRPCBrokerService,
  GRPCControllerService,
  GRPCStdioService,
} from "../gen/plugin/go_plugin.ts";
import { Driver } from "../driver/driver.ts";
import type { Logger } from "../log/logger.ts";
import { baseService } from "./base_service.ts";
import { driverService } from "./driver_service.ts";
import {
  brokerService,
  controllerService,
  healthService,
  stdioService,
} from "./go_plugin_services.ts";
import {
  handshakeLine,
  MAX_SOCKET_PATH_BYTES,
  NOT_A_PLUGIN_MESSAGE,
  readHandshake,
} from "./handshake.ts";

/** grpc-js receives at most 4 MiB by default; Nomad's client allows 2 GiB. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/**
 * Runs the plugin until Nomad shuts it down. Returns the exit code.
 */
export async function servePlugin(
  env: Record<string, string | undefined>,
  logger: Logger,
  version: string,
): Promise<number> {
  const handshake = readHandshake(env);
  if (!handshake.cookieOk) {
    writeStderr(NOT_A_PLUGIN_MESSAGE + "\n");
    return 1;
  }
  if (!handshake.protocolVersion) {
    logger.warn("client does not offer protocol version 2", {
      offered: env.PLUGIN_PROTOCOL_VERSIONS ?? "",
    });
  }

  const socketPath = join(
    handshake.socketDir,
    `plugin-milo-${crypto.randomUUID().slice(0, 8)}`,
  );
  if (new TextEncoder().encode(socketPath).length > MAX_SOCKET_PATH_BYTES) {
    logger.error(
      `cannot listen: a unix socket path must fit in ` +
        `${MAX_SOCKET_PATH_BYTES} bytes; set PLUGIN_UNIX_SOCKET_DIR or ` +
        "TMPDIR to a shorter directory",
      { socket_path: socketPath },
    );
    return 1;
  }

  routeGrpcLogs(logger.named("grpc"));
  const driver = new Driver({ logger: logger.named("driver"), version });
  const done = Promise.withResolvers<number>();
  const server = buildServer(driver, logger, version, () => done.resolve(0));
  await bind(server, socketPath);
  await applySocketGroup(socketPath, handshake.socketGroup, logger);

  // Nomad runs plugins in its own process group; a Ctrl-C meant for the
  // agent must not kill the plugin (go-plugin's Go servers ignore it too).
  Deno.addSignalListener("SIGINT", () => {});
  Deno.addSignalListener("SIGTERM", () => done.resolve(0));

  writeStdoutLine(handshakeLine(socketPath));
  logger.debug("plugin serving", { socket_path: socketPath, version });

  const code = await done.promise;
  await driver.shutdown();
  server.forceShutdown();
  await Deno.remove(socketPath).catch(() => {});
  logger.debug("plugin exiting");
  return code;
}

/**
 * Builds the gRPC server with Nomad's BasePlugin and Driver services and
 * go-plugin's health, controller, stdio and broker services. Shutdown on
 * the controller runs `onShutdown`. Exported as a building block for the
 * conformance mutants in tests/conformance/mutants/.
 */
export function buildServer(
  driver: Driver,
  logger: Logger,
  version: string,
  onShutdown: () => void,
): grpc.Server {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  const rpcLogger = logger.named("rpc");
  server.addService(BasePluginService, baseService(driver, rpcLogger, version));
  server.addService(DriverService, driverService(driver, rpcLogger));
  server.addService(HealthService, healthService());
  server.addService(GRPCControllerService, controllerService(onShutdown));
  server.addService(GRPCStdioService, stdioService());
  server.addService(GRPCBrokerService, brokerService());
  return server;
}

/**
 * grpc-js writes its own diagnostics (GRPC_TRACE, GRPC_VERBOSITY, which a
 * plugin inherits from the agent) to stderr as plain text; route them into
 * the hclog lines instead.
 */
function routeGrpcLogs(logger: Logger): void {
  const text = (data: unknown[]) => data.map(String).join(" ");
  grpc.setLogger({
    error: (...data: unknown[]) => logger.warn(text(data)),
    info: (...data: unknown[]) => logger.debug(text(data)),
    debug: (...data: unknown[]) => logger.trace(text(data)),
  });
}

/**
 * Binds `server` to the unix socket `socketPath`, insecure (Nomad uses no
 * TLS with plugins).
 *
 * @throws {Error} grpc-js's bind error, e.g. when the path is taken.
 */
export function bind(
  server: grpc.Server,
  socketPath: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `unix:${socketPath}`,
      grpc.ServerCredentials.createInsecure(),
      (error) => error ? reject(error) : resolve(),
    );
  });
}

async function applySocketGroup(
  socketPath: string,
  group: string | undefined,
  logger: Logger,
): Promise<void> {
  if (!group) return;
  const gid = /^\d+$/.test(group) ? Number(group) : await groupId(group);
  if (gid === undefined) {
    logger.warn("unknown PLUGIN_UNIX_SOCKET_GROUP; socket left as is", {
      group,
    });
    return;
  }
  await Deno.chown(socketPath, null, gid);
  await Deno.chmod(socketPath, 0o660);
}

async function groupId(name: string): Promise<number | undefined> {
  const text = await Deno.readTextFile("/etc/group").catch(() => "");
  const entry = text.split("\n").map((line) => line.split(":"))
    .find((fields) => fields[0] === name);
  return entry ? Number(entry[2]) : undefined;
}

/** Writes the handshake in one synchronous write, as go-plugin expects. */
export function writeStdoutLine(line: string): void {
  const bytes = new TextEncoder().encode(line);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

function writeStderr(text: string): void {
  try {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  } catch {
    // Nothing more to do without a stderr.
  }
}
