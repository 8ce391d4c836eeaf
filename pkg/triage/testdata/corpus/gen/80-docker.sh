# The service's own log (its binary run on this machine) and Docker: image
# builds that fail (legacy builder: nothing can be pulled, so the images
# are FROM scratch), ports taken, a container that exits, one that turns
# unhealthy, a daemon that is not there. Sourced by gen.sh.

# session CASE DIR: runs the commands on stdin in $WORK/DIR one by one,
# each printed as "$ command" before what it printed.
session() {
	local c=$1 dir=$2
	if ! selected "$c"; then
		cat >/dev/null
		return 0
	fi
	rm -rf "${CORPUS:?}/$c"
	mkdir -p "$CORPUS/$c"
	local cmds
	cmds=$(cat)
	(
		cd "$WORK/$dir" || exit 1
		while IFS= read -r cmd; do
			printf '$ %s\n' "$cmd"
			eval "$cmd" 2>&1
		done <<<"$cmds"
	) >"$CORPUS/$c/log.txt"
	echo "$c: $(wc -c <"$CORPUS/$c/log.txt") bytes"
}

newmod server
src server main.go <<'EOF'
// A service with failure modes chosen by $MODE: exit (bad config),
// panic (at start), unhealthy (its health endpoint answers 500), chatty
// (logs $LINES requests, then a handler panics).
package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-probe" {
		os.Exit(probe())
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	switch os.Getenv("MODE") {
	case "exit":
		log.Error("config: DATABASE_URL is not set")
		os.Exit(3)
	case "panic":
		var routes map[string]http.HandlerFunc
		routes["/healthz"] = health // FAULT
	case "chatty":
		chatty(log)
	}
	http.HandleFunc("/healthz", health)
	log.Info("listening", "addr", ":"+port)
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		log.Error("server stopped", "error", err.Error())
		os.Exit(1)
	}
}

func health(w http.ResponseWriter, r *http.Request) {
	if os.Getenv("MODE") == "unhealthy" {
		http.Error(w, "database: not connected", http.StatusInternalServerError)
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}

func probe() int {
	resp, err := http.Get("http://127.0.0.1:8080/healthz")
	if err != nil {
		fmt.Println("probe:", err)
		return 1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		fmt.Printf("probe: GET /healthz: status %d: %s", resp.StatusCode, b)
		return 1
	}
	return 0
}

type order struct{ Lines []int }

// chatty logs requests, then one handler indexes past an order's lines.
func chatty(log *slog.Logger) {
	n, _ := strconv.Atoi(os.Getenv("LINES"))
	start := time.Now()
	for i := 0; i < n; i++ {
		log.Info("request", "method", "GET", "path", fmt.Sprintf("/orders/%d", i), "status", 200, "bytes", 120+i%300, "took", time.Since(start).String())
		if i%211 == 0 {
			log.Warn("slow query", "query", "SELECT * FROM orders WHERE id = $1", "ms", 250+i%50)
		}
	}
	o := order{Lines: []int{1, 2}}
	fmt.Println(lineAt(o, n%7+2))
}

func lineAt(o order, i int) int {
	return o.Lines[i] // chatty
}
EOF
(cd "$WORK/server" && go build -o server .)
pl=$(lineof server main.go)
cl=$(lineof server main.go 'return o.Lines[i] // chatty')
session service-port-conflict.container-log server <<'EOF'
(PORT=18461 exec ./server) & sleep 1
PORT=18461 ./server
kill $! && wait $! 2>/dev/null; true
EOF
want service-port-conflict.container-log container-log port_conflict
capture service-panic.container-log log.txt server env MODE=panic ./server
want service-panic.container-log container-log panic "" main.go "$pl"
LINES=3250 capture service-panic-500k.container-log log.txt server env MODE=chatty ./server
want service-panic-500k.container-log container-log panic "" main.go "$cl"
LINES=6500 capture service-panic-1m.container-log log.txt server env MODE=chatty ./server
want service-panic-1m.container-log container-log panic "" main.go "$cl"

if ! { any_selected image || any_selected docker || any_selected container; }; then
	return 0
fi
if ! docker info >/dev/null 2>&1; then
	echo "no Docker daemon: the Docker cases are not regenerated" >&2
	return 0
fi
export DOCKER_BUILDKIT=0
img=orchestrate-classifier-corpus
cleanup() {
	docker ps -aq --filter "label=$LABEL" | xargs -r docker rm -f >/dev/null
	docker images -q --filter "label=$LABEL" | xargs -r docker rmi -f >/dev/null
}
cleanup
cat >"$WORK/server/Dockerfile" <<'EOF'
FROM scratch
COPY server /server
HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ["/server", "-probe"]
ENTRYPOINT ["/server"]
EOF
docker build -q --label "$LABEL" -t "$img" "$WORK/server" >/dev/null 2>&1

mkdir -p "$WORK/dockerfiles"
printf 'FROM scratch\nCOPY server /server\nENTRYPOINT ["/server"]\n' >"$WORK/dockerfiles/copy.Dockerfile"
printf 'FROM scratch\nRUN go build -o /server .\n' >"$WORK/dockerfiles/run.Dockerfile"
printf 'FORM scratch\nCOPY server /server\n' >"$WORK/dockerfiles/typo.Dockerfile"
capture image-copy-missing.docker-build log.txt dockerfiles docker build --force-rm --label "$LABEL" -f copy.Dockerfile .
want image-copy-missing.docker-build docker-build image_build_failed
capture image-run-fails.docker-build log.txt dockerfiles docker build --force-rm --label "$LABEL" -f run.Dockerfile .
want image-run-fails.docker-build docker-build image_build_failed
capture image-dockerfile-typo.docker-build log.txt dockerfiles docker build --force-rm --label "$LABEL" -f typo.Dockerfile .
want image-dockerfile-typo.docker-build docker-build image_build_failed

session docker-port-allocated.docker-run server <<EOF
docker run -d --label $LABEL --name orchestrate-classifier-a -p 127.0.0.1:18462:8080 $img >/dev/null
docker run -d --label $LABEL --name orchestrate-classifier-b -p 127.0.0.1:18462:8080 $img
EOF
want docker-port-allocated.docker-run docker-run port_conflict
session docker-port-in-use.docker-run server <<EOF
(PORT=18463 exec ./server) & sleep 1
docker run -d --label $LABEL --name orchestrate-classifier-c -p 127.0.0.1:18463:8080 $img
kill \$! && wait \$! 2>/dev/null; true
EOF
want docker-port-in-use.docker-run docker-run port_conflict
session container-exited.docker-run server <<EOF
docker run -d --label $LABEL --name orchestrate-classifier-exit -e MODE=exit $img >/dev/null
docker wait orchestrate-classifier-exit
docker logs orchestrate-classifier-exit
docker ps -a --filter name=orchestrate-classifier-exit --format '{{.Names}}  {{.Status}}'
EOF
want container-exited.docker-run docker-run container_exited
session container-unhealthy.docker-run server <<EOF
docker run -d --label $LABEL --name orchestrate-classifier-sick -e MODE=unhealthy $img >/dev/null
sleep 6
docker ps -a --filter name=orchestrate-classifier-sick --format '{{.Names}}  {{.Status}}'
docker inspect --format '{{json .State.Health}}' orchestrate-classifier-sick
docker logs orchestrate-classifier-sick
EOF
want container-unhealthy.docker-run docker-run healthcheck_failed
cleanup

export DOCKER_HOST=unix:///nonexistent/docker.sock
capture docker-unavailable-info.docker-cli log.txt server docker info
want docker-unavailable-info.docker-cli docker-cli docker_unavailable
capture docker-unavailable-build.docker-build log.txt server docker build -t "$img" .
want docker-unavailable-build.docker-build docker-build docker_unavailable
capture docker-unavailable-run.docker-run log.txt server docker run --rm -p 8080:8080 "$img"
want docker-unavailable-run.docker-run docker-run docker_unavailable
unset DOCKER_HOST
