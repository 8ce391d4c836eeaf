package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/notify"
)

// A run ends by telling its channels, over real HTTP: a failed run's
// webhook arrives with the outcome and the reason; a channel that answers
// 500 is retried and reported, and the run's status does not change; the
// URLs appear nowhere in the run's files.
func TestFinishNotifies(t *testing.T) {
	got := make(chan map[string]any, 1)
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &m)
		got <- m
	}))
	defer ok.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer broken.Close()

	s := newState(t)
	s.Config.Notify.Channels = []notify.Channel{{Kind: notify.Webhook, URLEnv: "HOOK_OK"}, {Kind: notify.Slack, URLEnv: "HOOK_BROKEN"}}
	s.Config.Notify.Timeout = 2 * time.Second
	s.Environ = []string{"HOOK_OK=" + ok.URL + "/hook-secret-path", "HOOK_BROKEN=" + broken.URL + "/hook-secret-path"}
	r := &Runner{Now: time.Now, Phases: []Phase{
		fake("test", func(context.Context) error {
			return &failure.Error{Class: failure.AssertionFailure, Message: "TestCreate: got 500, want 202"}
		}),
	}}
	r.Run(context.Background(), s)
	sum := finish(t, s, context.Background())
	if sum.Status != "failed" || sum.ExitCode != 1 {
		t.Fatalf("status %s exit %d: a notification changed the run's status", sum.Status, sum.ExitCode)
	}
	select {
	case m := <-got:
		if m["outcome"] != "failed" || m["service"] != "svc" || !strings.Contains(m["reason"].(string), "got 500, want 202") || m["rollback_status"] != "not_attempted" {
			t.Errorf("webhook: %v", m)
		}
	default:
		t.Fatal("the webhook heard nothing")
	}
	if len(sum.Notifications) != 2 || !sum.Notifications[0].Sent || sum.Notifications[1].Sent || sum.Notifications[1].Attempts != 3 || sum.Notifications[1].Status != 500 {
		t.Errorf("deliveries: %+v", sum.Notifications)
	}
	err := filepath.Walk(filepath.Dir(s.Run.Dir), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "hook-secret-path") {
			return errors.New(p + " holds a webhook URL")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
