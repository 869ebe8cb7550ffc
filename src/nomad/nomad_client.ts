/**
 * A stand-in for the parts of a Nomad client that drive a task driver: the
 * runtime launch (SetConfig with nomad_config, Init, the Fingerprint and
 * TaskEvents streams) and a task's lifecycle (TaskConfigSchema,
 * Capabilities, StartTask, WaitTask, StopTask, DestroyTask).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type * as grpc from "@grpc/grpc-js";
import type {
  DriverTaskEvent,
  ExitResult,
  FingerprintResponse,
  StartTaskResponse,
} from "../gen/nomad/driver.ts";
import type { Spec } from "../gen/nomad/hcl_spec.ts";
import { type AllocTask, makeAllocDir } from "./alloc_dir.ts";
import { applyDefaults } from "./config_defaults.ts";
import { encodeCtyObject } from "./cty_encode.ts";
import { invoke, type LaunchOptions, PluginClient } from "./plugin_client.ts";
import { BasePluginService } from "../gen/nomad/base.ts";
import { DriverService } from "../gen/nomad/driver.ts";
import { buildTaskConfig, type JobTask, schemaKeys } from "./task_config.ts";

/** A task started through {@linkcode NomadClient.startTask}. */
export interface StartedJobTask {
  taskId: string;
  alloc: AllocTask;
  response: StartTaskResponse;
  /** `performance.now()` when StartTask went out (after Capabilities). */
  sentAt: number;
}

/** Drives one plugin process as a Nomad client's driver manager does. */
export class NomadClient {
  readonly plugin: PluginClient;
  /** Every fingerprint received so far, oldest first. */
  readonly fingerprints: FingerprintResponse[] = [];
  /** Every task event received so far. */
  readonly events: DriverTaskEvent[] = [];
  #streams: grpc.ClientReadableStream<unknown>[] = [];
  #taskKeys?: string[];
  #firstFingerprint = Promise.withResolvers<FingerprintResponse>();
  #fingerprintWaiters = new Set<(message: FingerprintResponse) => void>();

  private constructor(plugin: PluginClient) {
    this.plugin = plugin;
  }

  /**
   * Launches the plugin and performs the runtime launch: PluginInfo,
   * SetConfig (with nomad_config), Init, Fingerprint and TaskEvents.
   */
  static async start(
    launch: LaunchOptions,
    pluginConfig: Record<string, unknown> = {},
  ): Promise<NomadClient> {
    const plugin = await PluginClient.launch(launch);
    const client = new NomadClient(plugin);
    try {
      await client.#configure(pluginConfig);
    } catch (error) {
      await plugin.kill();
      throw error;
    }
    return client;
  }

  /** Resolves with the first fingerprint. */
  firstFingerprint(): Promise<FingerprintResponse> {
    return this.#firstFingerprint.promise;
  }

  /**
   * Resolves with the next fingerprint received from now on that `match`
   * accepts; rejects after `timeoutMs` with the last one seen.
   */
  nextFingerprint(
    match: (message: FingerprintResponse) => boolean,
    timeoutMs: number,
  ): Promise<FingerprintResponse> {
    const { promise, resolve, reject } = Promise.withResolvers<
      FingerprintResponse
    >();
    const waiter = (message: FingerprintResponse) => {
      if (match(message)) resolve(message);
    };
    this.#fingerprintWaiters.add(waiter);
    const timer = setTimeout(() => {
      const last = this.fingerprints.at(-1);
      reject(
        new Error(
          `no matching fingerprint within ${timeoutMs} ms; the last was ` +
            `health ${last?.health}: ${last?.healthDescription}`,
        ),
      );
    }, timeoutMs);
    return promise.finally(() => {
      clearTimeout(timer);
      this.#fingerprintWaiters.delete(waiter);
    });
  }

  /** Makes the alloc dir of `job`, copying `files` into its local/. */
  async makeAlloc(
    allocRoot: string,
    job: JobTask,
    files: Record<string, string> = {},
  ): Promise<AllocTask> {
    const alloc = await makeAllocDir(allocRoot, crypto.randomUUID(), job.name);
    for (const [name, source] of Object.entries(files)) {
      await Deno.copyFile(source, `${alloc.localDir}/${name}`);
    }
    return alloc;
  }

  /** Calls TaskConfigSchema, Capabilities and StartTask for `job`. */
  async startTask(alloc: AllocTask, job: JobTask): Promise<StartedJobTask> {
    const driver = this.plugin.driver;
    this.#taskKeys ??= schemaKeys(
      (await invoke(driver, DriverService.taskConfigSchema, {})).spec,
    );
    await invoke(driver, DriverService.capabilities, {});
    const task = buildTaskConfig(job, alloc, this.#taskKeys);
    const sentAt = performance.now();
    const response = await invoke(driver, DriverService.startTask, { task });
    return { taskId: task.id, alloc, response, sentAt };
  }

  /** WaitTask. */
  async waitTask(taskId: string): Promise<ExitResult & { err: string }> {
    const driver = this.plugin.driver;
    const response = await invoke(driver, DriverService.waitTask, { taskId });
    return {
      ...(response.result ?? { exitCode: 0, signal: 0, oomKilled: false }),
      err: response.err,
    };
  }

  /** StopTask with a timeout in milliseconds and a signal name. */
  async stopTask(
    taskId: string,
    timeoutMs: number,
    signal = "",
  ): Promise<void> {
    const driver = this.plugin.driver;
    await invoke(driver, DriverService.stopTask, {
      taskId,
      timeout: {
        seconds: Math.floor(timeoutMs / 1000),
        nanos: (timeoutMs % 1000) * 1e6,
      },
      signal,
    });
  }

  /** DestroyTask. */
  async destroyTask(taskId: string, force = true): Promise<void> {
    const driver = this.plugin.driver;
    await invoke(driver, DriverService.destroyTask, { taskId, force });
  }

  /** Closes the streams and ends the plugin as Nomad's Kill does. */
  async close(): Promise<Awaited<ReturnType<PluginClient["kill"]>>> {
    for (const stream of this.#streams) stream.cancel();
    return await this.plugin.kill();
  }

  async #configure(pluginConfig: Record<string, unknown>): Promise<void> {
    const { base, driver } = this.plugin;
    await invoke(base, BasePluginService.pluginInfo, {});
    const schema = await invoke(base, BasePluginService.configSchema, {});
    await invoke(base, BasePluginService.setConfig, {
      msgpackConfig: configBytes(schema.spec, pluginConfig),
      pluginApiVersion: "0.1.0",
      nomadConfig: {
        driver: { ClientMinPort: 20000, ClientMaxPort: 32000 },
      },
    });
    await invoke(driver, DriverService.init, {});
    this.#follow(driver.fingerprint({}), (message: FingerprintResponse) => {
      this.fingerprints.push(message);
      this.#firstFingerprint.resolve(message);
      for (const waiter of [...this.#fingerprintWaiters]) waiter(message);
    });
    this.#follow(driver.taskEvents({}), (event: DriverTaskEvent) => {
      this.events.push(event);
    });
  }

  #follow<T>(stream: grpc.ClientReadableStream<T>, onData: (m: T) => void) {
    this.#streams.push(stream as grpc.ClientReadableStream<unknown>);
    stream.on("data", onData);
    // A cancelled stream reports CANCELLED; nothing else to do.
    stream.on("error", () => {});
  }
}

function configBytes(
  spec: Spec | undefined,
  values: Record<string, unknown>,
): Buffer {
  if (!spec) return Buffer.alloc(0);
  const full = applyDefaults(spec, values);
  return Buffer.from(encodeCtyObject(full, Object.keys(full)));
}
