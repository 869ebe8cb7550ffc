// Command conformance drives Milo with HashiCorp's go-plugin client the way
// a Nomad agent does: the fingerprint, validation and runtime launches, a
// real task, the negative handshakes and a reattach. It prints one line per
// check and exits 1 when any check fails.
//
//	go run . [-plugin 'CMD ARGS...'] [-jar hello.jar] [-failfast]
//
// The plugin defaults to `deno run -A --quiet --config <repo>/deno.json
// <repo>/main.ts`; MILO_PLUGIN or -plugin names a compiled binary or any
// other command line (split on spaces).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	repo, _ := findRepo()
	pluginFlag := flag.String("plugin", os.Getenv("MILO_PLUGIN"),
		"the plugin's command line (default: deno run ... main.ts)")
	jar := flag.String("jar", filepath.Join(repo, ".cache", "jars", "hello.jar"),
		"hello.jar, built by scripts/build_jars.ts")
	failFast := flag.Bool("failfast", false, "stop at the first failed check")
	flag.Parse()

	argv, err := pluginCommand(*pluginFlag, repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	fmt.Printf("plugin under test: %s\n", strings.Join(argv, " "))
	os.Exit(run(argv, *jar, *failFast))
}

func run(argv []string, jar string, failFast bool) int {
	started := time.Now()
	r := &report{out: os.Stdout, failFast: failFast}
	env, err := newEnvironment(jar)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	defer env.remove()

	facts := &pluginFacts{}
	r.run("fingerprint launch", func(r *report) { fingerprintLaunch(r, argv, facts) })
	r.run("validation launch", func(r *report) {
		validationLaunch(r, argv, facts, env.stateDir)
	})
	r.run("runtime launch", func(r *report) { runtimeLaunch(r, argv, facts, env) })
	r.run("wrong cookie", func(r *report) { wrongCookie(r, argv) })
	r.run("protocol versions without 2", func(r *report) { versionsWithout2(r, argv) })
	r.run("long PLUGIN_UNIX_SOCKET_DIR", func(r *report) { longSocketDir(r, argv, env) })
	r.run("reattach", func(r *report) { reattach(r, argv, facts, env) })

	r.summary()
	fmt.Printf("conformance run took %.1f s\n", time.Since(started).Seconds())
	if len(r.failed) > 0 {
		return 1
	}
	return 0
}

// pluginCommand is the plugin's argv: an executable file as is, any other
// text split on spaces, and by default what main.ts's selfCommand() returns.
func pluginCommand(text, repo string) ([]string, error) {
	if text == "" {
		if repo == "" {
			return nil, errors.New("cannot find the repository (deno.json and main.ts)")
		}
		deno, err := exec.LookPath("deno")
		if err != nil {
			return nil, fmt.Errorf("cannot find deno on PATH: %w", err)
		}
		return []string{deno, "run", "-A", "--quiet", "--config",
			filepath.Join(repo, "deno.json"), filepath.Join(repo, "main.ts")}, nil
	}
	if info, err := os.Stat(text); err == nil && info.Mode().IsRegular() {
		return []string{text}, nil
	}
	return strings.Fields(text), nil
}

// findRepo walks up from the working directory to the one holding
// deno.json and main.ts.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, e1 := os.Stat(filepath.Join(dir, "deno.json"))
		_, e2 := os.Stat(filepath.Join(dir, "main.ts"))
		if e1 == nil && e2 == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not found")
		}
		dir = parent
	}
}
