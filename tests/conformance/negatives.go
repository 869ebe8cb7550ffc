package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"

	"milo.example/conformance/gen/base"
	"milo.example/conformance/gen/drivers"
)

// wrongCookie: the plugin must refuse to serve and exit at once.
func wrongCookie(r *report, argv []string) {
	handshake := nomadHandshake
	handshake.MagicCookieValue = "not-nomads-cookie"
	client, logs := newLaunchClient(argv, launchOptions{handshake: &handshake})
	defer client.Kill()
	_, err := client.Client()
	r.check("a wrong cookie makes the plugin exit without a handshake line",
		expectError(err, "Failed to read any lines from plugin's stdout"))
	r.check("the plugin process has exited", exited(client))
	r.check("the plugin explains itself on stderr",
		nonEmpty("stderr", strings.Join(logs.raw.all(), "")))
}

// versionsWithout2: the client offers only version 3; the plugin answers 2,
// and go-plugin's client reports the mismatch.
func versionsWithout2(r *report, argv []string) {
	handshake := nomadHandshake
	handshake.ProtocolVersion = 3
	client, logs := newLaunchClient(argv, launchOptions{handshake: &handshake})
	_, err := client.Client()
	r.check("the client rejects the plugin's version for PLUGIN_PROTOCOL_VERSIONS=3",
		expectError(err, "incompatible API version"))
	client.Kill()
	r.check("the plugin warns that version 2 is not offered",
		logs.levelOf("client does not offer protocol version 2", "warn"))
	r.check("every stderr line reaches the client logger at its own level",
		logs.levelProblems())
}

// longSocketDir: a PLUGIN_UNIX_SOCKET_DIR too long for a unix socket path
// fails cleanly, with an error-level line naming the problem.
func longSocketDir(r *report, argv []string, env *environment) {
	long := filepath.Join(env.dir, strings.Repeat("d", 100))
	r.must("long temp dir created", os.MkdirAll(long, 0o700))
	// Nomad's loader sets no RunnerFunc, so go-plugin's UnixSocketConfig
	// would not pass the directory on; the environment does.
	client, logs := newLaunchClient(argv, launchOptions{
		env: []string{"PLUGIN_UNIX_SOCKET_DIR=" + long},
	})
	defer client.Kill()
	_, err := client.Client()
	r.check("a too long PLUGIN_UNIX_SOCKET_DIR fails the start, not hangs",
		expectError(err, "Failed to read any lines from plugin's stdout"))
	r.check("the plugin process has exited", exited(client))
	r.check("the plugin logs an error-level line naming the socket path",
		logs.errorNaming(long))
	r.check("every stderr line reaches the client logger at its own level",
		logs.levelProblems())
}

// reattach: a second client reattaches to a running plugin with the saved
// address, as Nomad does after an agent crash, and ends it.
func reattach(r *report, argv []string, facts *pluginFacts, env *environment) {
	first := startLaunch(r, argv, launchOptions{})
	defer first.client.Kill()
	config, err := pluginConfig(facts, env.stateDir)
	r.must("plugin config encodes", err)
	c, cancel := ctx(10 * time.Second)
	defer cancel()
	_, err = first.base.SetConfig(c, &base.SetConfigRequest{
		MsgpackConfig: config, PluginApiVersion: facts.apiVersion,
		NomadConfig: &base.NomadConfig{Driver: &base.NomadDriverConfig{}},
	})
	r.must("SetConfig succeeds", err)
	saved := first.client.ReattachConfig()
	r.must("the client has a reattach config", nonNil(saved))

	// The agent "crashes": the first client is dropped without Kill.
	second := startLaunch(r, nil, launchOptions{reattach: saved})
	info, err := second.base.PluginInfo(c, &base.PluginInfoRequest{})
	r.check("PluginInfo answers after reattach", err)
	r.check("PluginInfo type is DRIVER (2) after reattach", checkPluginType(info.GetType()))
	_, err = second.driver.Capabilities(c, &drivers.CapabilitiesRequest{})
	r.check("Capabilities answers after reattach", err)

	started := time.Now()
	second.client.Kill()
	elapsed := time.Since(started)
	var killErr error
	if second.logs.hasMessage("plugin failed to exit gracefully") {
		killErr = errorf("go-plugin had to SIGKILL the plugin after %s", elapsed)
	} else if !first.client.Exited() && !waitExited(first.client, 2*time.Second-elapsed) {
		killErr = errorf("the plugin still runs %s after Kill", elapsed)
	}
	r.check("Kill through the reattached client ends the plugin within 2 s", killErr)
	r.check("every stderr line reaches the client logger at its own level",
		first.logs.levelProblems())
}

func waitExited(client *plugin.Client, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if client.Exited() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return client.Exited()
}

func exited(client *plugin.Client) error {
	if !waitExited(client, 2*time.Second) {
		return errorf("the plugin still runs")
	}
	return nil
}

func expectError(err error, text string) error {
	if err == nil {
		return errorf("the client connected")
	}
	if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(text)) {
		return errorf("error %q does not say %q", err, text)
	}
	return nil
}

func nonNil(rc *plugin.ReattachConfig) error {
	if rc == nil {
		return errorf("nil")
	}
	return nil
}

// levelOf checks that a plugin line with this message was logged at level.
func (c *logCapture) levelOf(message, level string) error {
	for _, entry := range c.pluginEntries() {
		if entry["@message"] == message {
			if entry["@level"] != level {
				return errorf("logged at %q, want %q", entry["@level"], level)
			}
			return nil
		}
	}
	return errorf("no line %q in the client log", message)
}

// errorNaming checks that a plugin line at error level mentions text.
func (c *logCapture) errorNaming(text string) error {
	for _, entry := range c.pluginEntries() {
		if entry["@level"] != "error" {
			continue
		}
		for _, value := range entry {
			if s, ok := value.(string); ok && strings.Contains(s, text) {
				return nil
			}
		}
	}
	return errorf("no error-level line mentions %q", text)
}
