package protocol_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestOpenAPIMatchesTypes keeps docs/openapi.yaml honest: its paths are
// the protocol's, and each schema lists exactly the JSON fields of the Go
// type that goes over the wire.
func TestOpenAPIMatchesTypes(t *testing.T) {
	raw, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]any `yaml:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml does not parse: %v", err)
	}
	for _, p := range []string{protocol.PathEnroll, protocol.PathSync, protocol.PathDevice, protocol.PathWiped, protocol.PathReads, protocol.PathRegister, protocol.PathHealth, protocol.PathMetrics} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("docs/openapi.yaml lacks path %s", p)
		}
	}
	// The sync answer comes in both forms, under their media types.
	var sync struct {
		Post struct {
			Responses map[string]struct {
				Content map[string]any `yaml:"content"`
			} `yaml:"responses"`
		} `yaml:"post"`
	}
	if b, err := yaml.Marshal(doc.Paths[protocol.PathSync]); err != nil || yaml.Unmarshal(b, &sync) != nil {
		t.Fatalf("docs/openapi.yaml: %s does not read: %v", protocol.PathSync, err)
	}
	for _, mt := range []string{"application/json", protocol.MediaTypeOps} {
		if _, ok := sync.Post.Responses["200"].Content[mt]; !ok {
			t.Errorf("docs/openapi.yaml: the 200 answer of %s lacks %s", protocol.PathSync, mt)
		}
	}
	for name, v := range map[string]any{
		"EnrollRequest": protocol.EnrollRequest{}, "EnrollResponse": protocol.EnrollResponse{},
		"SyncRequest": protocol.SyncRequest{}, "SyncResponse": protocol.SyncResponse{},
		"Refusal": protocol.Refusal{}, "Error": protocol.Error{}, "Op": store.Op{},
		"DeviceStatus": protocol.DeviceStatus{}, "WipedAck": protocol.WipedAck{},
		"ReadsRequest": protocol.ReadsRequest{}, "ReadsResponse": protocol.ReadsResponse{}, "ReadEntry": store.ReadEntry{},
		"Register": store.Register{}, "Org": store.Org{}, "OrgContact": store.OrgContact{},
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("docs/openapi.yaml lacks schema %s", name)
			continue
		}
		var want, got []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
			if tag != "" && tag != "-" {
				want = append(want, tag)
			}
		}
		for k := range schema.Properties {
			got = append(got, k)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has fields %v, the Go type %v", name, got, want)
		}
	}
}
