/**
 * Serves Milo with exactly one thing changed, for the conformance test to
 * prove that go-plugin's client notices it. Each mutant entry point passes
 * one change; everything else is Milo's real server.
 *
 * @module
 */

import { join } from "node:path";
import type * as grpc from "@grpc/grpc-js";
import { Driver } from "../../../src/driver/driver.ts";
import { Logger } from "../../../src/log/logger.ts";
import { handshakeLine, readHandshake } from "../../../src/plugin/handshake.ts";
import {
  bind,
  buildServer,
  writeStdoutLine,
} from "../../../src/plugin/serve.ts";

/** The one change a mutant makes. */
export interface Mutation {
  /** The handshake line to print instead of Milo's. */
  handshakeLine?: (socketPath: string) => string;
  /** Replaces services on the built server. */
  patchServer?: (server: grpc.Server, driver: Driver, logger: Logger) => void;
}

/** Runs the mutated plugin until the client's Shutdown; exits the process. */
export async function serveMutant(mutation: Mutation): Promise<never> {
  const handshake = readHandshake(Deno.env.toObject());
  if (!handshake.cookieOk) Deno.exit(1);

  const logger = new Logger({ module: "milo-mutant" });
  const driver = new Driver({
    logger: logger.named("driver"),
    version: "0.1.0",
  });
  const done = Promise.withResolvers<void>();
  const server = buildServer(driver, logger, "0.1.0", () => done.resolve());
  mutation.patchServer?.(server, driver, logger);
  const socketPath = join(
    handshake.socketDir,
    `plugin-mutant-${crypto.randomUUID().slice(0, 8)}`,
  );
  await bind(server, socketPath);
  writeStdoutLine((mutation.handshakeLine ?? handshakeLine)(socketPath));

  await done.promise;
  await driver.shutdown();
  server.forceShutdown();
  await Deno.remove(socketPath).catch(() => {});
  Deno.exit(0);
}
