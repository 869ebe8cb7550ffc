/**
 * The pure parts of StartTask, measured apart from crun and the JVM:
 * decoding the task config, building the spec, writing the bundle. The
 * first version (a spec built whole, a rootfs per bundle) is the baseline
 * of the current one (a spec template per runtime, a shared rootfs, one
 * config.json per task). `deno task bench:start` has the p50/p99 figures
 * and the start latency against crun's floor.
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
import { writeTaskBundle } from "../src/oci/shared_rootfs.ts";
import { BundleFactory } from "../src/driver/bundle_factory.ts";

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

const factory = new BundleFactory(layout, dir, `${dir}/rootfs`);
const template = await factory.template(input.runtimeHome);

Deno.bench({
  group: "spec",
  name: "build the spec (first version)",
  baseline: true,
  fn: () => {
    JSON.stringify(buildSpec(input, layout), null, 2);
  },
});

Deno.bench({
  group: "spec",
  name: "render the spec from the runtime's template",
  fn: () => {
    template.render(input);
  },
});

Deno.bench({
  group: "bundle",
  name: "write and remove a bundle with its own rootfs (first version)",
  baseline: true,
  async fn() {
    const bundle = `${dir}/b${n++}`;
    await writeBundle(bundle, spec, layout);
    await removeBundle(bundle);
  },
});

Deno.bench({
  group: "bundle",
  name: "write and remove a task bundle (shared rootfs)",
  async fn() {
    const bundle = factory.bundleDir(`t${n++}`);
    await writeTaskBundle(bundle, template.render(input));
    await removeBundle(bundle);
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
