package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"milo.example/conformance/gen/base"
	"milo.example/conformance/gen/drivers"
)

// The task's config {} block in HCL. cty turns 42 and 0.8 into strings for
// list(string); the keys the block leaves out arrive as nulls.
const taskHCL = `
jar_path    = "local/hello.jar"
jvm_options = ["-Xmx64m", "-XX:+UseSerialGC"]
args        = ["conformance", 42, 0.8]
`

// runtimeLaunch: SetConfig with nomad_config, Init, the Fingerprint and
// TaskEvents streams, TaskConfigSchema, Capabilities, a failed start, then
// a real jar through StartTask, WaitTask, StopTask and DestroyTask; Kill.
func runtimeLaunch(r *report, argv []string, facts *pluginFacts, env *environment) {
	config, err := pluginConfig(facts, env.stateDir)
	r.must("plugin config encodes (HCL -> hcldec -> cty msgpack)", err)
	l := startLaunch(r, argv, launchOptions{})
	defer l.client.Kill()
	socket := socketPathOf(l)

	c, cancel := ctx(10 * time.Second)
	defer cancel()
	_, err = l.base.SetConfig(c, &base.SetConfigRequest{
		MsgpackConfig: config, PluginApiVersion: facts.apiVersion,
		NomadConfig: &base.NomadConfig{Driver: &base.NomadDriverConfig{
			ClientMinPort: 20000, ClientMaxPort: 32000,
		}},
	})
	r.must("SetConfig with nomad_config succeeds", err)
	_, err = l.driver.Init(c, &drivers.InitRequest{})
	if status.Code(err) == codes.Unimplemented {
		err = nil
	}
	r.check("Init succeeds or is Unimplemented", err)

	fingerprints := openFingerprint(r, l)
	events := openTaskEvents(r, l)

	schema, err := l.driver.TaskConfigSchema(c, &drivers.TaskConfigSchemaRequest{})
	r.must("TaskConfigSchema answers", err)
	r.must("TaskConfigSchema spec has an object root", objectRoot(schema.GetSpec()))
	taskConfig, value, err := encodeConfig(schema.GetSpec(), taskHCL)
	r.must("task config encodes (HCL -> hcldec -> cty msgpack)", err)
	r.check("cty value has nulls for unset keys and strings for numbers",
		checkTaskValue(value))

	caps, err := l.driver.Capabilities(c, &drivers.CapabilitiesRequest{})
	r.must("Capabilities answers", err)
	r.check("Capabilities enum values are known", checkCapabilities(caps.GetCapabilities()))

	missing, _, err := encodeConfig(schema.GetSpec(), `jar_path = "local/missing.jar"`)
	r.must("missing-jar config encodes", err)
	failedStart(r, l, env, missing)
	runHello(r, l, env, taskConfig)

	r.check("Fingerprint stream is still open", fingerprints.stillOpen())
	r.check("TaskEvents stream is still open", events.stillOpen())
	cancel()
	fingerprints.cancel()
	events.cancel()
	l.kill(r)
	r.check("the socket file is gone after Kill", absent(socket))
}

func checkTaskValue(value cty.Value) error {
	attrs := value.AsValueMap()
	for _, key := range []string{"class", "class_path", "work_dir"} {
		if v, ok := attrs[key]; !ok || !v.IsNull() {
			return errorf("%s = %#v, want null", key, v)
		}
	}
	args := attrs["args"].AsValueSlice()
	if len(args) != 3 || args[1].AsString() != "42" || args[2].AsString() != "0.8" {
		return errorf("args = %#v", attrs["args"])
	}
	return nil
}

func checkCapabilities(caps *drivers.DriverCapabilities) error {
	if caps == nil {
		return errorf("capabilities unset")
	}
	if _, ok := drivers.DriverCapabilities_FSIsolation_name[int32(caps.GetFsIsolation())]; !ok {
		return errorf("fs_isolation %d is not a known value", caps.GetFsIsolation())
	}
	if _, ok := drivers.DriverCapabilities_MountConfigs_name[int32(caps.GetMountConfigs())]; !ok {
		return errorf("mount_configs %d is not a known value", caps.GetMountConfigs())
	}
	for _, mode := range caps.GetNetworkIsolationModes() {
		if _, ok := drivers.NetworkIsolationSpec_NetworkIsolationMode_name[int32(mode)]; !ok {
			return errorf("network isolation mode %d is not a known value", mode)
		}
	}
	return nil
}

// failedStart: a missing jar fails StartTask as not recoverable.
func failedStart(r *report, l *launch, env *environment, config []byte) {
	alloc, err := env.makeAlloc("missing")
	r.must("alloc dir for the failed start", err)
	readers := alloc.openReaders()
	c, cancel := ctx(30 * time.Second)
	defer cancel()
	_, err = l.driver.StartTask(c, &drivers.StartTaskRequest{
		Task: alloc.taskConfig("missing", config),
	})
	r.check("StartTask of a missing jar fails with RecoverableError{recoverable: false}",
		recoverableDetail(err, false))
	readers.release()
}

// runHello runs hello.jar to its exit and checks what it left behind.
func runHello(r *report, l *launch, env *environment, config []byte) {
	alloc, err := env.makeAlloc("hello")
	r.must("alloc dir with local/hello.jar", err)
	r.must("hello.jar copied into local/", copyFile(env.helloJar,
		filepath.Join(alloc.taskDir, "local", "hello.jar")))
	readers := alloc.openReaders()
	defer readers.release()

	task := alloc.taskConfig("hello", config)
	c, cancel := ctx(60 * time.Second)
	defer cancel()
	started, err := l.driver.StartTask(c, &drivers.StartTaskRequest{Task: task})
	r.must("StartTask of hello.jar succeeds", err)
	r.check("StartTask answers a handle for the task", checkHandle(started, task.GetId()))

	wait, err := l.driver.WaitTask(c, &drivers.WaitTaskRequest{TaskId: task.GetId()})
	r.must("WaitTask answers", err)
	r.check("hello exits with code 0", checkExit(wait))
	stdout, stderr := readers.wait(30 * time.Second)
	r.check("hello's stdout arrives in the FIFO", contains(stdout, "Hello from Milo"))
	r.check("hello's stderr arrives in the FIFO", contains(stderr, "hello on stderr"))

	_, err = l.driver.StopTask(c, &drivers.StopTaskRequest{
		TaskId: task.GetId(), Timeout: durationpb.New(5 * time.Second), Signal: "SIGINT",
	})
	r.check("StopTask of the exited task succeeds", err)
	_, err = l.driver.DestroyTask(c, &drivers.DestroyTaskRequest{
		TaskId: task.GetId(), Force: true,
	})
	r.check("DestroyTask succeeds", err)
	r.check("nothing is left behind (container, bundle, exit file, conmon)",
		env.leftovers())
}

func checkHandle(resp *drivers.StartTaskResponse, id string) error {
	if resp.GetResult() != drivers.StartTaskResponse_SUCCESS {
		return errorf("result %s: %q", resp.GetResult(), resp.GetDriverErrorMsg())
	}
	handle := resp.GetHandle()
	if handle == nil || handle.GetConfig().GetId() != id {
		return errorf("handle %v does not name task %q", handle, id)
	}
	if len(handle.GetDriverState()) == 0 {
		return errorf("handle has no driver_state")
	}
	return nil
}

func checkExit(resp *drivers.WaitTaskResponse) error {
	result := resp.GetResult()
	if resp.GetErr() != "" || result == nil || result.GetExitCode() != 0 ||
		result.GetSignal() != 0 || result.GetOomKilled() {
		return errorf("err %q, result %v", resp.GetErr(), result)
	}
	return nil
}

func contains(got, want string) error {
	if !strings.Contains(got, want) {
		return errorf("want %q in %q", want, got)
	}
	return nil
}

func absent(path string) error {
	if path == "" {
		return errorf("no socket path known")
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		return errorf("%s still exists", path)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
