/**
 * Nomad's side of the plugin protocol: launch a plugin binary the way
 * Nomad's loader does (go-plugin v1.8.0 `client.go`), read its handshake
 * line, and talk gRPC over the announced unix socket. Used by `milo run`,
 * the tests and the benchmarks.
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import { BasePluginClient } from "../gen/nomad/base.ts";
import { DriverClient } from "../gen/nomad/driver.ts";
import { HealthClient } from "../gen/grpc/health.ts";
import { GRPCControllerClient } from "../gen/plugin/go_plugin.ts";
import { parseHandshakeLine, type PluginAddress } from "./handshake_line.ts";

/** Nomad's magic cookie (nomad `plugins/base/plugin.go`). */
export const NOMAD_COOKIE = {
  NOMAD_PLUGIN_MAGIC_COOKIE:
    "e4327c2e01eabfd75a8a67adb114fb34a757d57eee7728d857a8cec6e91a7255",
};

/** How to launch the plugin. */
export interface LaunchOptions {
  /** argv of the plugin, e.g. [deno, "run", "-A", "main.ts"]. */
  command: string[];
  /**
   * Environment added to the inherited one. Nomad's handshake variables
   * are added unless `handshakeEnv` replaces them.
   */
  env?: Record<string, string>;
  /** Replaces Nomad's handshake variables (for protocol tests). */
  handshakeEnv?: Record<string, string>;
  /** Called with every stderr line of the plugin. */
  onStderrLine?: (line: string) => void;
  /** How long to wait for the handshake line (go-plugin: 1 minute). */
  startTimeoutMs?: number;
}

/** A running plugin process and gRPC clients for its services. */
export class PluginClient {
  readonly process: Deno.ChildProcess;
  readonly address: PluginAddress;
  readonly handshake: string;
  readonly base: BasePluginClient;
  readonly driver: DriverClient;
  readonly health: HealthClient;
  readonly controller: GRPCControllerClient;
  /** stdout after the handshake line (must stay empty). */
  readonly extraStdout: Promise<string>;
  /** Every stderr line so far. */
  readonly stderrLines: string[];
  /** Resolves when the process has ended. */
  readonly exited: Promise<Deno.CommandStatus>;

  private constructor(fields: {
    process: Deno.ChildProcess;
    address: PluginAddress;
    handshake: string;
    extraStdout: Promise<string>;
    stderrLines: string[];
  }) {
    this.process = fields.process;
    this.address = fields.address;
    this.handshake = fields.handshake;
    this.extraStdout = fields.extraStdout;
    this.stderrLines = fields.stderrLines;
    this.exited = this.process.status;
    const target = `unix:${this.address.address}`;
    const credentials = grpc.credentials.createInsecure();
    const options = {
      "grpc.max_receive_message_length": 2 ** 31 - 1,
      "grpc.max_send_message_length": 2 ** 31 - 1,
    };
    this.base = new BasePluginClient(target, credentials, options);
    this.driver = new DriverClient(target, credentials, options);
    this.health = new HealthClient(target, credentials, options);
    this.controller = new GRPCControllerClient(target, credentials, options);
  }

  /**
   * Starts the plugin and waits for its handshake line.
   *
   * @throws {Error} when the process exits or stays silent instead.
   */
  static async launch(options: LaunchOptions): Promise<PluginClient> {
    const [program, ...args] = options.command;
    const process = new Deno.Command(program, {
      args,
      env: {
        ...(options.handshakeEnv ?? {
          ...NOMAD_COOKIE,
          PLUGIN_PROTOCOL_VERSIONS: "2",
          PLUGIN_MIN_PORT: "10000",
          PLUGIN_MAX_PORT: "25000",
        }),
        ...options.env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();

    const stderrLines: string[] = [];
    const stderrDone = collectLines(process.stderr, (line) => {
      stderrLines.push(line);
      options.onStderrLine?.(line);
    });
    const stdout = readFirstLine(process.stdout);
    const first = await withTimeout(
      stdout.first,
      options.startTimeoutMs ?? 60_000,
      process,
    );
    if (first === undefined) {
      await process.status;
      await stderrDone;
      throw new Error(
        "Cannot launch plugin: it exited before printing a handshake line; " +
          `its stderr was:\n${stderrLines.join("\n")}`,
      );
    }
    return new PluginClient({
      process,
      address: parseHandshakeLine(first),
      handshake: first,
      extraStdout: stdout.rest,
      stderrLines,
    });
  }

  /**
   * Ends the plugin as go-plugin's Kill does: GRPCController.Shutdown,
   * then up to 2 s for the process to exit, then SIGKILL.
   */
  async kill(
    graceMs = 2000,
  ): Promise<{ status: Deno.CommandStatus; forced: boolean; ms: number }> {
    const started = performance.now();
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      try {
        this.process.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, graceMs);
    // A plugin that died mid-call would leave the call pending forever.
    await Promise.race([
      new Promise<void>((resolve) =>
        this.controller.shutdown(
          {},
          new grpc.Metadata(),
          { deadline: Date.now() + graceMs },
          () => resolve(),
        )
      ),
      this.exited,
    ]);
    this.close();
    const status = await this.exited;
    clearTimeout(timer);
    return { status, forced, ms: performance.now() - started };
  }

  /** Closes the gRPC channels (the process keeps running). */
  close(): void {
    for (
      const client of [this.base, this.driver, this.health, this.controller]
    ) {
      client.close();
    }
  }
}

/** The parts of a generated method definition a unary call needs. */
export interface UnaryMethod<Req, Res> {
  path: string;
  requestSerialize: (request: Req) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
}

/** Calls unary `method` (from a generated service definition) on `client`. */
export function invoke<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      (error, response) => error ? reject(error) : resolve(response!),
    );
  });
}

async function collectLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer) onLine(buffer);
}

function readFirstLine(stream: ReadableStream<Uint8Array>) {
  const first = Promise.withResolvers<string | undefined>();
  const rest = (async () => {
    let buffer = "";
    let found = false;
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (!found && newline >= 0) {
        found = true;
        first.resolve(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    }
    if (!found) first.resolve(buffer ? buffer : undefined);
    return found ? buffer : "";
  })();
  return { first: first.promise, rest };
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  process: Deno.ChildProcess,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        process.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      reject(new Error(`Cannot launch plugin: no handshake within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
