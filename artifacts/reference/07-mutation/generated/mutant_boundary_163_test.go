package main

import (
	"net/http"
	"testing"
)

func TestValidateAcceptsCommitOfExactlySevenHexChars(t *testing.T) {
	ev := deployEvent{
		Service: "web-frontend", Environment: "staging", Status: "failed",
		Version: "v2.0.0", Commit: "ABCDEF1", TriggeredBy: "bob",
		PipelineURL: "https://ci.example.com/pipelines/9", Team: "web",
		RollbackStatus: "rolled_back",
	}
	if bad := validate(ev); bad != nil {
		t.Fatalf("validate rejected a 7-character hex commit: %+v", *bad)
	}

	mux := newMux(t, testRoutes)
	e := validEvent()
	e["commit"] = "abcdef1"
	code, out := post(t, mux, encode(t, e))
	if code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202 for a 7-character commit; answer %v", code, out)
	}
	want := "payments-api v1.4.2 deployed to production by alice (commit abcdef1)"
	if out["message"] != want {
		t.Errorf("message = %v, want %q", out["message"], want)
	}
}
