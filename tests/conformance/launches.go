package main

import (
	"fmt"
	"strings"
	"time"

	version "github.com/hashicorp/go-version"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"milo.example/conformance/gen/base"
	"milo.example/conformance/gen/hclspec"
)

// The driver API version Nomad speaks (nomad plugins/drivers/versions.go).
const driverAPIVersion = "0.1.0"

// pluginFacts is what the fingerprint launch learns for the later ones.
type pluginFacts struct {
	apiVersion   string
	configSchema *hclspec.Spec
}

// fingerprintLaunch: PluginInfo, ConfigSchema, Kill (PROTOCOL.md §0.1).
func fingerprintLaunch(r *report, argv []string, facts *pluginFacts) {
	l := startLaunch(r, argv, launchOptions{})
	defer l.client.Kill()

	c, cancel := ctx(10 * time.Second)
	defer cancel()
	info, err := l.base.PluginInfo(c, &base.PluginInfoRequest{})
	r.must("PluginInfo answers", err)
	r.check("PluginInfo type is DRIVER (2)", checkPluginType(info.GetType()))
	r.check("PluginInfo name is set", nonEmpty("name", info.GetName()))
	apiVersion, err := selectAPIVersion(info.GetPluginApiVersions())
	r.check("PluginInfo plugin_api_versions include v0.1.0", err)
	facts.apiVersion = apiVersion
	_, err = version.NewVersion(info.GetPluginVersion())
	r.check("PluginInfo plugin_version is a version go-version parses", err)

	schema, err := l.base.ConfigSchema(c, &base.ConfigSchemaRequest{})
	r.must("ConfigSchema answers", err)
	r.must("ConfigSchema spec is set with an object root",
		objectRoot(schema.GetSpec()))
	facts.configSchema = schema.GetSpec()
	_, _, err = encodeConfig(schema.GetSpec(), "")
	r.check("ConfigSchema converts to hcldec and decodes an empty config", err)

	l.kill(r)
}

// validationLaunch: SetConfig twice without nomad_config, then Kill.
func validationLaunch(r *report, argv []string, facts *pluginFacts, stateDir string) {
	config, err := pluginConfig(facts, stateDir)
	r.must("plugin config encodes (HCL -> hcldec -> cty msgpack)", err)
	l := startLaunch(r, argv, launchOptions{})
	defer l.client.Kill()

	for i := 1; i <= 2; i++ {
		c, cancel := ctx(10 * time.Second)
		_, err := l.base.SetConfig(c, &base.SetConfigRequest{
			MsgpackConfig: config, PluginApiVersion: facts.apiVersion,
		})
		cancel()
		r.check(fmt.Sprintf("SetConfig #%d without nomad_config succeeds", i), err)
	}
	l.kill(r)
}

// pluginConfig is the agent's plugin "milo" { config {} } block: state_dir
// set, the other keys left to their defaults or null.
func pluginConfig(facts *pluginFacts, stateDir string) ([]byte, error) {
	if facts.configSchema == nil {
		return nil, errorf("no ConfigSchema from the fingerprint launch")
	}
	encoded, _, err := encodeConfig(facts.configSchema,
		fmt.Sprintf("state_dir = %q\n", stateDir))
	return encoded, err
}

func checkPluginType(t base.PluginType) error {
	if t != base.PluginType_DRIVER {
		return errorf("plugin is of unknown type: got %d (%s), want DRIVER (2)", t, t)
	}
	return nil
}

// selectAPIVersion mirrors Nomad's loader: every entry parses, and one
// equals v0.1.0; the plugin's own spelling is echoed back in SetConfig.
func selectAPIVersion(versions []string) (string, error) {
	if len(versions) == 0 {
		return "", errorf("plugin_api_versions is empty")
	}
	want := version.Must(version.NewVersion(driverAPIVersion))
	chosen := ""
	for _, text := range versions {
		v, err := version.NewVersion(text)
		if err != nil {
			return "", errorf("plugin_api_versions entry %q: %w", text, err)
		}
		if v.Equal(want) && chosen == "" {
			chosen = text
		}
	}
	if chosen == "" {
		return "", errorf("no entry of %q equals v%s", versions, driverAPIVersion)
	}
	return chosen, nil
}

func objectRoot(spec *hclspec.Spec) error {
	if spec == nil || spec.GetObject() == nil {
		return errorf("spec is %v", spec)
	}
	return nil
}

func nonEmpty(field, value string) error {
	if value == "" {
		return errorf("%s is empty", field)
	}
	return nil
}

// recoverableDetail checks a failed StartTask the way Nomad's driver client
// does: FAILED_PRECONDITION with a RecoverableError as the first detail.
func recoverableDetail(err error, recoverable bool) error {
	if err == nil {
		return errorf("StartTask succeeded")
	}
	st, _ := status.FromError(err)
	if st.Code() != codes.FailedPrecondition {
		return errorf("status %s (%q), want FailedPrecondition", st.Code(), st.Message())
	}
	details := st.Details()
	if len(details) == 0 {
		return errorf("no status detail (%q)", st.Message())
	}
	detail, ok := details[0].(interface{ GetRecoverable() bool })
	if !ok {
		return errorf("first detail is %T, want RecoverableError", details[0])
	}
	if detail.GetRecoverable() != recoverable {
		return errorf("recoverable = %v, want %v", detail.GetRecoverable(), recoverable)
	}
	return nil
}

func socketPathOf(l *launch) string {
	if rc := l.client.ReattachConfig(); rc != nil && rc.Addr != nil {
		return rc.Addr.String()
	}
	return ""
}

func hasPrefixAll(keys []string, prefix string) error {
	var bad []string
	for _, key := range keys {
		if !strings.HasPrefix(key, prefix) {
			bad = append(bad, key)
		}
	}
	if len(bad) > 0 {
		return errorf("attributes outside %q: %q", prefix, bad)
	}
	return nil
}
