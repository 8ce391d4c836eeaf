package schema

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestNewCmdSchema(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantDoc  string // the document the command runs for; "" when it does not run
		wantHelp bool   // help on stdout, exit 0
		wantErr  string
	}{
		{name: "summary", args: []string{"summary"}, wantDoc: "summary"},
		{name: "no document", wantHelp: true},
		{name: "help", args: []string{"--help"}, wantHelp: true},
		{name: "summary help", args: []string{"summary", "-h"}, wantHelp: true},
		{name: "unknown document", args: []string{"sumary"}, wantErr: `no schema for "sumary": the documents are: summary`},
		{name: "summary and more", args: []string{"summary", "events"}, wantErr: `unknown command "events" for "orchestrate schema summary"`},
		{name: "unknown flag", args: []string{"summary", "--draft", "7"}, wantErr: "unknown flag: --draft"},
		{name: "unknown shorthand", args: []string{"summary", "-o", "x.json"}, wantErr: "unknown shorthand flag: 'o' in -o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdSchema, tt.args...)
			if tt.wantErr != "" {
				if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v (%T), want a usage error containing %q", err, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("the command ran with %+v after a usage error", *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantHelp != strings.Contains(stdout.String(), "Usage:") {
				t.Errorf("help printed: %v, want %v; stdout %q", !tt.wantHelp, tt.wantHelp, stdout)
			}
			switch {
			case tt.wantDoc == "" && got != nil:
				t.Errorf("the command ran with %+v", *got)
			case tt.wantDoc != "" && (got == nil || got.Document != tt.wantDoc || got.F != f):
				t.Errorf("options %+v, want document %q with the factory", got, tt.wantDoc)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr %q", stderr)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	f, stdout, _ := cmdtest.Factory()
	if err := Print(&Options{F: f, Document: "summary"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), summary.Schema) {
		t.Errorf("schema summary printed %d bytes, want the %d of summary.schema.json", stdout.Len(), len(summary.Schema))
	}
	if err := Print(&Options{F: f, Document: "events"}); !cmdtest.IsUsage(err) {
		t.Errorf("schema of an unknown document: %v, want a usage error", err)
	}
}
