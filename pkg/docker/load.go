package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Load loads an image tarball in the `docker save` format, written by
// write as it is sent (POST /images/load, as `docker load` does),
// streaming the daemon's messages to log, and returns the id of the image
// tag names. id is the image's id (the digest of its config), known
// before the load: when the load fails or is interrupted, whatever of it
// the daemon kept is removed by tag and by id, so nothing dangles. A
// failing load is an image_build_failed failure.
func (e *Engine) Load(ctx context.Context, tag, id string, write func(io.Writer) error, log io.Writer) (loaded string, err error) {
	defer func() {
		if err != nil {
			for _, ref := range []string{tag, id} {
				_, _ = e.C.ImageRemove(context.WithoutCancel(ctx), ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
			}
		}
	}()
	pr, pw := io.Pipe()
	go func() { _ = pw.CloseWithError(write(pw)) }()
	defer pr.Close() // stops the writer when the daemon stops reading
	res, err := e.C.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(true))
	if err != nil {
		return "", failure.Wrap(failure.ImageBuildFailed, err, "load the image into the daemon")
	}
	defer res.Close()
	dec := json.NewDecoder(res)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", failure.Wrap(failure.ImageBuildFailed, err, "read the daemon's answer to the image load")
		}
		if m.Stream != "" {
			_, _ = io.WriteString(log, m.Stream)
		}
		if m.Error != nil {
			fmt.Fprintf(log, "ERROR: %s\n", m.Error.Message)
			return "", failure.New(failure.ImageBuildFailed, "the daemon refused the image: %s", strings.TrimSpace(m.Error.Message))
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ii, err := e.C.ImageInspect(ctx, tag)
	if err != nil {
		return "", failure.Wrap(failure.ImageBuildFailed, err, "the loaded image %s is not in the daemon", tag)
	}
	return ii.ID, nil
}
