package main

import (
	"fmt"
	"io"
	"strings"
)

// report prints one line per check and remembers the failures. A failed
// "must" check ends the current launch, since later checks depend on it.
type report struct {
	out     io.Writer
	section string
	passed  int
	failed  []string
	// failFast ends the run at the first failed check.
	failFast bool
}

// abortLaunch is the panic value of a failed must check.
type abortLaunch struct{}

func (r *report) begin(section string) {
	r.section = section
	fmt.Fprintf(r.out, "== %s\n", section)
}

// check records one check: err == nil passes.
func (r *report) check(name string, err error) bool {
	if err == nil {
		r.passed++
		fmt.Fprintf(r.out, "ok    %s: %s\n", r.section, name)
		return true
	}
	id := r.section + ": " + name
	r.failed = append(r.failed, id)
	fmt.Fprintf(r.out, "FAIL  %s: %s\n", id, indent(err.Error()))
	if r.failFast {
		panic(abortLaunch{})
	}
	return false
}

// must is check, but a failure ends the launch.
func (r *report) must(name string, err error) {
	if !r.check(name, err) {
		panic(abortLaunch{})
	}
}

func (r *report) note(format string, args ...any) {
	fmt.Fprintf(r.out, "note  %s: %s\n", r.section, fmt.Sprintf(format, args...))
}

// run runs one launch, turning a failed must check into its end.
func (r *report) run(section string, fn func(*report)) {
	if r.failFast && len(r.failed) > 0 {
		return
	}
	r.begin(section)
	defer func() {
		if value := recover(); value != nil {
			if _, ok := value.(abortLaunch); !ok {
				panic(value)
			}
			fmt.Fprintf(r.out, "      (%s stopped after that failure)\n", section)
		}
	}()
	fn(r)
}

func (r *report) summary() {
	fmt.Fprintf(r.out, "\n%d checks passed, %d failed\n", r.passed, len(r.failed))
	for _, id := range r.failed {
		fmt.Fprintf(r.out, "FAILED CHECK: %s\n", id)
	}
}

func indent(text string) string {
	return strings.ReplaceAll(text, "\n", "\n      ")
}

// errorf is fmt.Errorf, named for checks that build their own error.
func errorf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}
