package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// logCapture holds what go-plugin's client did with the plugin's stderr:
// raw receives each line as the plugin wrote it (ClientConfig.Stderr), and
// logged receives the client logger's own hclog JSON lines.
type logCapture struct {
	raw    *lineBuffer
	logged *lineBuffer
}

func newLogCapture() *logCapture {
	return &logCapture{raw: &lineBuffer{}, logged: &lineBuffer{}}
}

// lineBuffer is an io.Writer that keeps complete lines.
type lineBuffer struct {
	mu      sync.Mutex
	pending []byte
	lines   []string
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = append(b.pending, p...)
	for {
		i := bytes.IndexByte(b.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		b.lines = append(b.lines, string(b.pending[:i]))
		b.pending = b.pending[i+1:]
	}
}

func (b *lineBuffer) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// entries are the client logger's lines, decoded.
func (c *logCapture) entries() []map[string]any {
	var out []map[string]any
	for _, line := range c.logged.all() {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil {
			out = append(out, entry)
		}
	}
	return out
}

func (c *logCapture) hasMessage(message string) bool {
	for _, entry := range c.entries() {
		if entry["@message"] == message {
			return true
		}
	}
	return false
}

// pluginEntries are the entries go-plugin re-logged from the plugin's
// stderr: all but the client's own (module "agent"). A line parsed as hclog
// JSON keeps the plugin's @module and carries the "timestamp" pair go-plugin
// adds; a line logged as raw text is under "agent.<binary>" without it.
func (c *logCapture) pluginEntries() []map[string]any {
	var out []map[string]any
	for _, entry := range c.entries() {
		if entry["@module"] != "agent" {
			out = append(out, entry)
		}
	}
	return out
}

// levelProblems checks that each stderr line was hclog JSON with a level
// and arrived in the client's log at that level with its message, and not
// as raw text at debug.
func (c *logCapture) levelProblems() error {
	logged := c.pluginEntries()
	used := make([]bool, len(logged))
	var problems []string
	raw := c.raw.all()
	for _, line := range raw {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var sent map[string]any
		if err := json.Unmarshal([]byte(line), &sent); err != nil {
			problems = append(problems, fmt.Sprintf("not hclog JSON: %q", line))
			continue
		}
		level, _ := sent["@level"].(string)
		message, _ := sent["@message"].(string)
		found := false
		for i, entry := range logged {
			if used[i] || entry["@message"] != message {
				continue
			}
			if _, parsed := entry["timestamp"]; !parsed {
				continue
			}
			used[i] = true
			found = entry["@level"] == strings.ToLower(level)
			if !found {
				problems = append(problems, fmt.Sprintf(
					"%q sent at %q, logged at %q", message, level, entry["@level"]))
			}
			found = true
			break
		}
		if !found {
			problems = append(problems, fmt.Sprintf(
				"not re-logged as a parsed entry (timestamp or level rejected): %q", line))
		}
	}
	if len(problems) > 0 {
		return errorf("%d of %d lines: %s", len(problems), len(raw),
			strings.Join(problems, "\n"))
	}
	return nil
}
