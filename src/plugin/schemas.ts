/**
 * Milo's static schemas: the task `config {}` block and the agent's
 * `plugin "milo" { config {} }` block.
 *
 * @module
 */

import type { Spec } from "../gen/nomad/hcl_spec.ts";
import { attr, hclString, object, withDefault } from "./hclspec.ts";
import { DEFAULT_PLUGIN_CONFIG } from "../driver/plugin_config.ts";

/** The task config schema, the keys users of Nomad's java driver know. */
export const TASK_CONFIG_SPEC: Spec = object({
  jar_path: attr("jar_path", "string"),
  class: attr("class", "string"),
  class_path: attr("class_path", "string"),
  jvm_options: attr("jvm_options", "list(string)"),
  args: attr("args", "list(string)"),
  work_dir: attr("work_dir", "string"),
  java_version: attr("java_version", "string"),
  java_home: attr("java_home", "string"),
});

/** The plugin config schema, with Milo's defaults. */
export const PLUGIN_CONFIG_SPEC: Spec = object({
  state_dir: withDefault(
    attr("state_dir", "string"),
    hclString(DEFAULT_PLUGIN_CONFIG.stateDir),
  ),
  crun_path: attr("crun_path", "string"),
  conmon_path: attr("conmon_path", "string"),
  cgroup_hybrid_workaround: withDefault(
    attr("cgroup_hybrid_workaround", "bool"),
    String(DEFAULT_PLUGIN_CONFIG.cgroupHybridWorkaround),
  ),
  default_user: withDefault(
    attr("default_user", "string"),
    hclString(DEFAULT_PLUGIN_CONFIG.defaultUser),
  ),
  java_search_paths: attr("java_search_paths", "list(string)"),
  java_homes: attr("java_homes", "list(string)"),
  java_search_defaults: withDefault(
    attr("java_search_defaults", "bool"),
    String(DEFAULT_PLUGIN_CONFIG.javaSearchDefaults),
  ),
  default_java_version: attr("default_java_version", "string"),
  java_refresh_interval: withDefault(
    attr("java_refresh_interval", "string"),
    hclString("5m"),
  ),
});
