/**
 * The Java task's `config {}` block: the keys users of Nomad's java driver
 * know, validated before anything is created on the host.
 *
 * @module
 */

import { posix } from "node:path";
import { InvalidTaskConfigError } from "./errors.ts";
import {
  ConfigValueError,
  readString,
  readStringList,
  unknownKeys,
} from "./config_values.ts";

/** The keys of the task config, in the order the schema lists them. */
export const TASK_CONFIG_KEYS = [
  "jar_path",
  "class",
  "class_path",
  "jvm_options",
  "args",
  "work_dir",
  "java_version",
  "java_home",
] as const;

/** A validated task config. */
export interface JavaTaskConfig {
  /** Path of the jar, relative to the task dir or absolute in the container. */
  jarPath?: string;
  /** Main class, with or without a jar. */
  className?: string;
  /** Passed as `-cp`. */
  classPath?: string;
  /** Passed to the JVM before the class path, unchanged. */
  jvmOptions: string[];
  /** Passed to the program, unchanged. */
  args: string[];
  /** Absolute working directory inside the container. */
  workDir?: string;
  /** Java version constraint ("17", "17+", "11-17", "21.0.2"). */
  javaVersion?: string;
  /** An explicit Java runtime home on the host. */
  javaHome?: string;
}

/**
 * Validates a decoded task config.
 *
 * @throws {InvalidTaskConfigError} naming the key and the fix.
 */
export function parseTaskConfig(
  raw: Record<string, unknown>,
): JavaTaskConfig {
  const unknown = unknownKeys(raw, TASK_CONFIG_KEYS);
  if (unknown.length > 0) {
    throw invalid(
      `unknown key ${unknown.map((k) => `"${k}"`).join(", ")}; ` +
        `known keys are ${TASK_CONFIG_KEYS.join(", ")}`,
    );
  }

  let config: JavaTaskConfig;
  try {
    config = {
      jarPath: readString(raw, "jar_path"),
      className: readString(raw, "class"),
      classPath: readString(raw, "class_path"),
      jvmOptions: readStringList(raw, "jvm_options"),
      args: readStringList(raw, "args"),
      workDir: readString(raw, "work_dir"),
      javaVersion: readString(raw, "java_version"),
      javaHome: readString(raw, "java_home"),
    };
  } catch (error) {
    if (error instanceof ConfigValueError) throw invalid(error.message);
    throw error;
  }

  checkStrings(config);
  if (!config.jarPath && !config.className) {
    throw invalid(
      'neither "jar_path" nor "class" is set; set jar_path = ' +
        '"local/app.jar" to run a jar, or class (with class_path) to run a ' +
        "main class",
    );
  }
  if (config.workDir && !config.workDir.startsWith("/")) {
    throw invalid(
      `"work_dir" must be an absolute path inside the container, got ` +
        `"${config.workDir}"; for example "/local"`,
    );
  }
  return config;
}

/**
 * Builds the JVM's argv in the java driver's order: options, `-cp`, `-jar`,
 * class, then the program's arguments. Relative jar and class path entries
 * are made absolute from the task dir (the container's "/"), so they mean
 * the same whatever `work_dir` is. No shell is involved, so every
 * element reaches the JVM byte for byte.
 */
export function javaArgv(java: string, config: JavaTaskConfig): string[] {
  const argv = [java, ...config.jvmOptions];
  if (config.classPath) argv.push("-cp", taskPaths(config.classPath));
  if (config.jarPath) argv.push("-jar", posix.resolve("/", config.jarPath));
  if (config.className) argv.push(config.className);
  argv.push(...config.args);
  return argv;
}

/**
 * Rejects what the kernel or the JVM would mangle silently: NUL bytes
 * (argv ends at the first one), empty JVM options (the JVM takes "" for
 * the main class) and blanks in a class name.
 */
function checkStrings(config: JavaTaskConfig): void {
  const named: [string, string | undefined][] = [
    ["jar_path", config.jarPath],
    ["class", config.className],
    ["class_path", config.classPath],
    ["work_dir", config.workDir],
    ...config.jvmOptions.map((
      v,
      i,
    ): [string, string] => [`jvm_options[${i}]`, v]),
    ...config.args.map((v, i): [string, string] => [`args[${i}]`, v]),
  ];
  for (const [key, value] of named) {
    if (value?.includes("\0")) {
      throw invalid(
        `"${key}" contains a NUL character, which cannot be passed to a process`,
      );
    }
  }
  const empty = config.jvmOptions.findIndex((option) => option.trim() === "");
  if (empty >= 0) {
    throw invalid(
      `"jvm_options[${empty}]" is empty; the JVM would take it for the main ` +
        "class, so remove it",
    );
  }
  if (config.className && /\s/.test(config.className)) {
    throw invalid(
      `"class" must be a class name such as "com.example.Main", got ` +
        `"${config.className}"`,
    );
  }
}

/**
 * Relative class path entries are relative to the task dir, which is the
 * container's "/", whatever work_dir says.
 */
function taskPaths(classPath: string): string {
  return classPath.split(":")
    .map((entry) => entry ? posix.resolve("/", entry) : entry)
    .join(":");
}

function invalid(detail: string): InvalidTaskConfigError {
  return new InvalidTaskConfigError(`Invalid task config: ${detail}`);
}
