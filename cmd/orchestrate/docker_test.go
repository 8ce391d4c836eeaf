package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// leftovers says what Docker objects labelled with run exist, or "". An
// image that is a release (tagged in docker.ReleaseRepo) is meant to
// outlive its run; removeReleases removes a script's at its end.
func leftovers(eng *docker.Engine, run string) string {
	ctx := context.Background()
	f := client.Filters{}.Add("label", docker.LabelRun+"="+run)
	cs, _ := eng.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	ns, _ := eng.C.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	is, _ := eng.C.ImageList(ctx, client.ImageListOptions{Filters: f})
	images := 0
	for _, im := range is.Items {
		if !isRelease(im.RepoTags) {
			images++
		}
	}
	if len(cs.Items)+len(ns.Items)+images == 0 {
		return ""
	}
	return fmt.Sprintf("%d containers, %d networks, %d images", len(cs.Items), len(ns.Items), images)
}

func isRelease(tags []string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, docker.ReleaseRepo) {
			return true
		}
	}
	return false
}

// removeReleases removes the release images the runs of a script made,
// and any image of theirs left untagged: those whose workdir label is a
// directory under work.
func removeReleases(work string) error {
	ids := map[string]bool{}
	_ = filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if rel, _ := filepath.Rel(work, p); strings.Count(rel, string(filepath.Separator)) > 3 {
				return filepath.SkipDir
			}
			ids[docker.WorkdirID(p)] = true
		}
		return nil
	})
	eng, err := docker.Connect(context.Background(), "")
	if err != nil {
		return nil // no daemon: nothing was released
	}
	defer eng.Close()
	ctx := context.Background()
	is, err := eng.C.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("label", docker.LabelWorkdir)})
	if err != nil {
		return err
	}
	for _, im := range is.Items {
		if (isRelease(im.RepoTags) || len(im.RepoTags) == 0) && ids[im.Labels[docker.LabelWorkdir]] {
			if _, err := eng.C.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
				return fmt.Errorf("remove the release image %s: %w", im.ID, err)
			}
		}
	}
	return nil
}
