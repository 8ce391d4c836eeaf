package release

import (
	"context"
	"fmt"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// The release phase may be reused when its Input is unchanged (the
// candidate image the deploy phase's Output names, the strategy, the spec,
// the tests passed) and the daemon still says what the reused run left:
// the service's :stable tag points at the image it made the stable
// release. A rollback by hand since (or any other retag) moves the tag:
// then the phase runs, and says why, so a cache hit never hides it.

// CacheReads implements phase.Cacheable: the service it releases.
func (in Input) CacheReads() []string { return []string{in.Spec.Dir} }

// Recheck implements phase.Rechecked: the stable release must still be
// the one out made.
func (in Input) Recheck(ctx context.Context, out Output) string {
	if out.Stable == "" {
		return "it recorded no stable release"
	}
	e, err := docker.Connect(ctx, in.DockerHost)
	if err != nil {
		return fmt.Sprintf("the Docker daemon cannot say which image is the stable release (%v)", err)
	}
	defer e.Close()
	now, err := engine{e}.image(ctx, Repo(in.Spec.Name)+":stable")
	switch {
	case err != nil:
		return fmt.Sprintf("the Docker daemon cannot say which image is the stable release (%v)", err)
	case now == "":
		return fmt.Sprintf("%s:stable is gone (it was %s)", Repo(in.Spec.Name), short(out.Stable))
	case now != out.Stable:
		return fmt.Sprintf("%s:stable is now %s, not the %s it released (a rollback by hand since?)", Repo(in.Spec.Name), short(now), short(out.Stable))
	}
	return ""
}

// deployed starts the deployment when the deploy phase's Output was reused
// and no phase has started it in this run (the tests were reused too):
// the candidate is this run's running container.
func (r *releaser) deployed(ctx context.Context) error {
	s := r.in.Service
	if s == nil || s.Running() {
		return nil
	}
	fmt.Fprintf(r.env.Log, "the deploy phase's output was reused and no container of this run runs: deploying it now to release it\n")
	_, err := s.Start(ctx, r.env)
	return err // the deploy phase's own, classified
}
