/**
 * The pure parts of StartTask, measured apart from crun and the JVM:
 * decoding the task config, building the spec, writing the bundle.
 *
 * ```sh
 * deno bench -A bench/start_path_bench.ts
 * ```
 */

import { encodeCtyObject } from "../src/nomad/cty_encode.ts";
import { decodeCtyObject } from "../src/plugin/cty_msgpack.ts";
import {
  parseTaskConfig,
  TASK_CONFIG_KEYS,
} from "../src/driver/task_config.ts";
import { buildSpec } from "../src/oci/spec.ts";
import { removeBundle, writeBundle } from "../src/oci/bundle.ts";
import { probeHostLayout } from "../src/oci/host_layout.ts";

const configBytes = encodeCtyObject({
  jar_path: "local/app.jar",
  jvm_options: ["-Xmx256m", "-Dgreeting=hello world"],
  args: ["--port", "8080"],
}, TASK_CONFIG_KEYS);

const layout = await probeHostLayout();
const input = {
  args: [
    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    "-jar",
    "local/app.jar",
  ],
  env: { NOMAD_TASK_DIR: "/local", LANG: "C.UTF-8" },
  cwd: "/",
  user: { uid: 65534, gid: 65534 },
  hostname: "app",
  runtimeHome: "/usr/lib/jvm/java-17-openjdk-amd64",
  taskMounts: {
    localDir: "/tmp/alloc/app/local",
    secretsDir: "/tmp/alloc/app/secrets",
    allocDir: "/tmp/alloc/alloc",
  },
  memoryLimitBytes: 512 * 1024 * 1024,
  cpuShares: 500,
  cgroupsPath: "/milo/bench",
};
const spec = buildSpec(input, layout);
const dir = await Deno.makeTempDir({ prefix: "milo-bench-" });
let n = 0;

Deno.bench({
  group: "start path",
  name: "decode and validate the task config",
  fn: () => {
    parseTaskConfig(decodeCtyObject(configBytes, "bench"));
  },
});

Deno.bench({
  group: "start path",
  name: "build the spec",
  fn: () => {
    buildSpec(input, layout);
  },
});

Deno.bench({
  group: "start path",
  name: "write and remove a bundle",
  baseline: true,
  async fn() {
    const bundle = `${dir}/b${n++}`;
    await writeBundle(bundle, spec, layout);
    await removeBundle(bundle);
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
