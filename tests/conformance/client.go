package main

import (
	"context"
	"errors"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"

	"milo.example/conformance/gen/base"
	"milo.example/conformance/gen/drivers"
)

// Nomad's handshake (nomad plugins/base/plugin.go): protocol version 2 and
// its magic cookie. Nomad's loader allows gRPC only and sets no AutoMTLS.
var nomadHandshake = plugin.HandshakeConfig{
	ProtocolVersion:  2,
	MagicCookieKey:   "NOMAD_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "e4327c2e01eabfd75a8a67adb114fb34a757d57eee7728d857a8cec6e91a7255",
}

// basePlugin and driverPlugin dispense clients of the generated stubs under
// the names Nomad's loader uses ("base", "driver").
type basePlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (basePlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("the conformance program is a client only")
}

func (basePlugin) GRPCClient(
	_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn,
) (any, error) {
	return base.NewBasePluginClient(conn), nil
}

type driverPlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (driverPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("the conformance program is a client only")
}

func (driverPlugin) GRPCClient(
	_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn,
) (any, error) {
	return drivers.NewDriverClient(conn), nil
}

var pluginMap = map[string]plugin.Plugin{
	"base":   basePlugin{},
	"driver": driverPlugin{},
}

// launch is one plugin process driven by go-plugin's client.
type launch struct {
	client *plugin.Client
	logs   *logCapture
	proto  plugin.ClientProtocol
	base   base.BasePluginClient
	driver drivers.DriverClient
}

// launchOptions changes the client's config for the negative cases.
type launchOptions struct {
	handshake *plugin.HandshakeConfig
	reattach  *plugin.ReattachConfig
	env       []string
}

// newLaunchClient builds the client as Nomad's loader does, with its logger
// writing hclog JSON into a capture.
func newLaunchClient(argv []string, opts launchOptions) (*plugin.Client, *logCapture) {
	logs := newLogCapture()
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "agent",
		Level:      hclog.Trace,
		JSONFormat: true,
		Output:     logs.logged,
	})
	config := &plugin.ClientConfig{
		HandshakeConfig:  nomadHandshake,
		Plugins:          pluginMap,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger,
		Stderr:           logs.raw,
	}
	if opts.handshake != nil {
		config.HandshakeConfig = *opts.handshake
	}
	if opts.reattach != nil {
		config.Reattach = opts.reattach
	} else {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = opts.env
		config.Cmd = cmd
	}
	return plugin.NewClient(config), logs
}

// startLaunch starts the plugin, connects and dispenses both plugins.
func startLaunch(r *report, argv []string, opts launchOptions) *launch {
	client, logs := newLaunchClient(argv, opts)
	l := &launch{client: client, logs: logs}
	// A failed check may end the launch (must, or any check with
	// -failfast) before the caller has deferred Kill: kill it here.
	defer func() {
		if value := recover(); value != nil {
			client.Kill()
			panic(value)
		}
	}()
	proto, err := client.Client()
	if err != nil {
		r.must("go-plugin client connects (handshake line accepted)", err)
	}
	l.proto = proto
	r.check("go-plugin client connects (handshake line accepted)", nil)

	raw, err := proto.Dispense("base")
	r.must(`dispense "base"`, err)
	l.base = raw.(base.BasePluginClient)
	raw, err = proto.Dispense("driver")
	r.must(`dispense "driver"`, err)
	l.driver = raw.(drivers.DriverClient)

	// go-plugin's Start and Dispense never ping, and its Ping only needs
	// Check("plugin") to return without error. A Go plugin's health server
	// answers SERVING for "plugin" and NotFound for names it lacks.
	r.check(`go-plugin Ping succeeds`, proto.Ping())
	r.check(`health Check("plugin") answers SERVING`, checkHealthService(proto))
	return l
}

func checkHealthService(proto plugin.ClientProtocol) error {
	client, ok := proto.(*plugin.GRPCClient)
	if !ok {
		return errorf("client protocol is %T, not gRPC", proto)
	}
	c, cancel := ctx(5 * time.Second)
	defer cancel()
	resp, err := grpc_health_v1.NewHealthClient(client.Conn).Check(c,
		&grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil {
		return err
	}
	if resp.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		return errorf("status %s", resp.GetStatus())
	}
	return nil
}

// kill ends the plugin as Nomad does, and checks it went within 2 s
// without the SIGKILL fallback and that every stderr line kept its level.
func (l *launch) kill(r *report) {
	started := time.Now()
	l.client.Kill()
	elapsed := time.Since(started)
	var err error
	if l.logs.hasMessage("plugin failed to exit gracefully") {
		err = errorf("go-plugin had to SIGKILL the plugin after %s", elapsed)
	} else if elapsed >= 2*time.Second {
		err = errorf("Kill took %s", elapsed)
	}
	r.check("Kill ends the plugin within 2 s without SIGKILL", err)
	r.check("every stderr line reaches the client logger at its own level",
		l.logs.levelProblems())
}

func ctx(timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), timeout)
}
