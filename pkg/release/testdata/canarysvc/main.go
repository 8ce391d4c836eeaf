// Command canarysvc is the release tests' service: /healthz, and POST
// /v1/items answering 202 — or, with FAULT=500, 500; with FAULT=slow, after
// a second.
package main

import (
	"net/http"
	"os"
	"time"
)

func main() {
	fault := os.Getenv("FAULT")
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"status":"ok"}`)) })
	http.HandleFunc("POST /v1/items", func(w http.ResponseWriter, _ *http.Request) {
		switch fault {
		case "500":
			w.WriteHeader(http.StatusInternalServerError)
			return
		case "slow":
			time.Sleep(time.Second)
		}
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"ok":true}`))
	})
	http.ListenAndServe(":8080", nil)
}
