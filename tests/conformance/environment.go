package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"milo.example/conformance/gen/drivers"
)

// environment is one run's temporary directory: the plugin's state_dir
// and the alloc dirs, as a Nomad client lays them out.
type environment struct {
	dir      string
	stateDir string
	helloJar string
}

func newEnvironment(helloJar string) (*environment, error) {
	dir, err := os.MkdirTemp("", "milo-conformance-")
	if err != nil {
		return nil, err
	}
	return &environment{
		dir: dir, stateDir: filepath.Join(dir, "state"), helloJar: helloJar,
	}, nil
}

func (e *environment) remove() { os.RemoveAll(e.dir) }

// allocTask is one task's paths in an alloc dir (nomad client/allocdir).
type allocTask struct {
	allocID, allocDir, taskDir string
	stdoutFifo, stderrFifo     string
}

// makeAlloc makes <dir>/allocs/<id>/{alloc/{logs,tmp,data},<task>/{local,
// secrets,tmp,private}} world-writable, and the two log FIFOs.
func (e *environment) makeAlloc(task string) (*allocTask, error) {
	id := randomID()
	allocDir := filepath.Join(e.dir, "allocs", id)
	a := &allocTask{
		allocID: id, allocDir: allocDir, taskDir: filepath.Join(allocDir, task),
		stdoutFifo: filepath.Join(allocDir, "alloc", "logs", "."+task+".stdout.fifo"),
		stderrFifo: filepath.Join(allocDir, "alloc", "logs", "."+task+".stderr.fifo"),
	}
	dirs := []string{"alloc/logs", "alloc/tmp", "alloc/data"}
	for _, sub := range []string{"local", "secrets", "tmp", "private"} {
		dirs = append(dirs, filepath.Join(task, sub))
	}
	for _, dir := range dirs {
		path := filepath.Join(allocDir, dir)
		if err := os.MkdirAll(path, 0o777); err != nil {
			return nil, err
		}
		if err := os.Chmod(path, 0o777); err != nil {
			return nil, err
		}
	}
	for _, fifo := range []string{a.stdoutFifo, a.stderrFifo} {
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			return nil, errorf("Cannot create FIFO %q: %w", fifo, err)
		}
	}
	return a, nil
}

// taskConfig is the TaskConfig Nomad's task runner builds for a driver with
// image isolation (container paths in NOMAD_*_DIR).
func (a *allocTask) taskConfig(name string, config []byte) *drivers.TaskConfig {
	return &drivers.TaskConfig{
		Id: a.allocID + "/" + name + "/" + randomID()[:8], Name: name,
		MsgpackDriverConfig: config,
		Env: map[string]string{
			"NOMAD_ALLOC_DIR": "/alloc", "NOMAD_TASK_DIR": "/local",
			"NOMAD_SECRETS_DIR": "/secrets", "NOMAD_ALLOC_ID": a.allocID,
			"NOMAD_TASK_NAME": name, "NOMAD_JOB_NAME": "conformance",
		},
		Resources: &drivers.Resources{
			AllocatedResources: &drivers.AllocatedTaskResources{
				Cpu:    &drivers.AllocatedCpuResources{CpuShares: 100},
				Memory: &drivers.AllocatedMemoryResources{MemoryMb: 256},
			},
			LinuxResources: &drivers.LinuxResources{
				CpuShares: 100, MemoryLimitBytes: 256 << 20,
			},
		},
		AllocDir: a.allocDir, StdoutPath: a.stdoutFifo, StderrPath: a.stderrFifo,
		TaskGroupName: "conformance", JobName: "conformance", JobId: "conformance",
		AllocId: a.allocID, Namespace: "default", NodeName: "conformance",
	}
}

// fifoReaders hold the FIFOs' read ends, opened before StartTask as
// Nomad's logmon does (the writer's open waits for a reader).
type fifoReaders struct {
	paths []string
	mu    sync.Mutex
	data  []strings.Builder
	done  sync.WaitGroup
}

func (a *allocTask) openReaders() *fifoReaders {
	f := &fifoReaders{
		paths: []string{a.stdoutFifo, a.stderrFifo}, data: make([]strings.Builder, 2),
	}
	for i, path := range f.paths {
		f.done.Add(1)
		go func() {
			defer f.done.Done()
			file, err := os.Open(path)
			if err != nil {
				return
			}
			defer file.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := file.Read(buf)
				f.mu.Lock()
				f.data[i].Write(buf[:n])
				f.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	return f
}

// wait returns stdout and stderr once both reached end-of-file.
func (f *fifoReaders) wait(timeout time.Duration) (string, string) {
	ended := make(chan struct{})
	go func() { f.done.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(timeout):
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data[0].String(), f.data[1].String()
}

// release ends readers whose writer never came: a non-blocking open of the
// write end completes their open, and closing it gives end-of-file.
func (f *fifoReaders) release() {
	for _, path := range f.paths {
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				syscall.Close(fd)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	f.wait(5 * time.Second)
}

// leftovers lists what the tasks left: containers in crun's state root,
// bundles, exit files, conmon processes naming the state dir.
func (e *environment) leftovers() error {
	var found []string
	deadline := time.Now().Add(3 * time.Second)
	for {
		found = found[:0]
		out, _ := exec.Command("crun", "--root="+filepath.Join(e.stateDir, "crun"),
			"list", "-q").Output()
		for _, id := range strings.Fields(string(out)) {
			found = append(found, "container "+id)
		}
		for _, dir := range []string{"bundles", "exits"} {
			entries, _ := os.ReadDir(filepath.Join(e.stateDir, dir))
			for _, entry := range entries {
				found = append(found, dir+"/"+entry.Name())
			}
		}
		found = append(found, conmonPids(e.stateDir)...)
		if len(found) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(found) > 0 {
		return errorf("left behind: %s", strings.Join(found, ", "))
	}
	return nil
}

func conmonPids(text string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		raw, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(string(raw), "\x00")
		if filepath.Base(argv[0]) == "conmon" && strings.Contains(string(raw), text) {
			found = append(found, "conmon pid "+entry.Name())
		}
	}
	return found
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
