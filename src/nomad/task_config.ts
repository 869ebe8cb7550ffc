/**
 * Builds the TaskConfig Nomad sends in StartTask: id, environment,
 * resources and paths, as the client's task runner fills them
 * (nomad `client/allocrunner/taskrunner/task_runner.go` buildTaskConfig).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { TaskConfig } from "../gen/nomad/driver.ts";
import type { Spec } from "../gen/nomad/hcl_spec.ts";
import type { AllocTask } from "./alloc_dir.ts";
import { encodeCtyObject } from "./cty_encode.ts";

/**
 * The attribute names of an object spec (TaskConfigSchema's answer): cty
 * encodes every one of them, with nil for those the job leaves unset.
 */
export function schemaKeys(spec: Spec | undefined): string[] {
  if (spec?.block?.$case !== "object") {
    throw new TypeError("Cannot read schema: the root spec is not an object");
  }
  return Object.keys(spec.block.value.attributes);
}

/** What the job says about one task. */
export interface JobTask {
  name: string;
  jobName?: string;
  group?: string;
  config: Record<string, unknown>;
  env?: Record<string, string>;
  memoryMb?: number;
  memoryMaxMb?: number;
  cpuMhz?: number;
  user?: string;
}

/**
 * A TaskConfig for `task` in `alloc` (config encoded with all of `keys`), with the environment Nomad gives a
 * task of a driver with image file-system isolation (container paths).
 */
export function buildTaskConfig(
  job: JobTask,
  alloc: AllocTask,
  keys: readonly string[],
): TaskConfig {
  const memoryMb = job.memoryMb ?? 300;
  const cpu = job.cpuMhz ?? 100;
  const jobName = job.jobName ?? job.name;
  const group = job.group ?? job.name;
  const random = crypto.randomUUID().slice(0, 8);
  return {
    id: `${alloc.allocId}/${job.name}/${random}`,
    name: job.name,
    msgpackDriverConfig: Buffer.from(
      encodeCtyObject(job.config, keys),
    ),
    env: {
      NOMAD_ALLOC_DIR: "/alloc",
      NOMAD_TASK_DIR: "/local",
      NOMAD_SECRETS_DIR: "/secrets",
      NOMAD_ALLOC_ID: alloc.allocId,
      NOMAD_ALLOC_NAME: `${jobName}.${group}[0]`,
      NOMAD_ALLOC_INDEX: "0",
      NOMAD_TASK_NAME: job.name,
      NOMAD_GROUP_NAME: group,
      NOMAD_JOB_NAME: jobName,
      NOMAD_JOB_ID: jobName,
      NOMAD_NAMESPACE: "default",
      NOMAD_REGION: "global",
      NOMAD_DC: "dc1",
      NOMAD_MEMORY_LIMIT: String(memoryMb),
      NOMAD_CPU_LIMIT: String(cpu),
      ...job.env,
    },
    deviceEnv: {},
    resources: {
      allocatedResources: {
        cpu: { cpuShares: cpu },
        memory: { memoryMb, memoryMaxMb: job.memoryMaxMb ?? 0 },
        networks: [],
      },
      linuxResources: {
        cpuPeriod: 0,
        cpuQuota: 0,
        cpuShares: cpu,
        memoryLimitBytes: Math.max(memoryMb, job.memoryMaxMb ?? 0) * 1024 *
          1024,
        oomScoreAdj: 0,
        cpusetCpus: "",
        cpusetCgroup: "",
        PercentTicks: 0,
      },
      ports: [],
    },
    mounts: [],
    devices: [],
    user: job.user ?? "",
    allocDir: alloc.allocDir,
    stdoutPath: alloc.stdoutFifo,
    stderrPath: alloc.stderrFifo,
    taskGroupName: group,
    jobName,
    allocId: alloc.allocId,
    jobId: jobName,
    namespace: "default",
    nodeName: Deno.hostname(),
    nodeId: "00000000-0000-0000-0000-000000000000",
    parentJobId: "",
  };
}
