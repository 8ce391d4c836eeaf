package main

import (
	"net/http"
	"testing"
)

func TestDeployEventAcceptsSevenCharCommit(t *testing.T) {
	ev := deployEvent{
		Service: "payments-api", Environment: "production", Status: "succeeded",
		Version: "v1.4.2", Commit: "9f1c2ab", TriggeredBy: "alice",
		PipelineURL: "https://ci.example.com/pipelines/812", Team: "payments",
	}
	if bad := validate(ev); bad != nil {
		t.Fatalf("validate rejected a 7-character commit: %+v", *bad)
	}

	mux := newMux(t, testRoutes)
	e := validEvent()
	e["commit"] = "9f1c2ab"
	code, out := post(t, mux, encode(t, e))
	if code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; answer %v", code, out)
	}
	want := "payments-api v1.4.2 deployed to production by alice (commit 9f1c2ab)"
	if out["message"] != want {
		t.Errorf("message = %v, want %q", out["message"], want)
	}
}
