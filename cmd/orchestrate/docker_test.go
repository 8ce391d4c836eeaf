package main

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// leftovers says what Docker objects labelled with run exist, or "".
func leftovers(eng *docker.Engine, run string) string {
	ctx := context.Background()
	f := client.Filters{}.Add("label", docker.LabelRun+"="+run)
	cs, _ := eng.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	ns, _ := eng.C.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	is, _ := eng.C.ImageList(ctx, client.ImageListOptions{Filters: f})
	if len(cs.Items)+len(ns.Items)+len(is.Items) == 0 {
		return ""
	}
	return fmt.Sprintf("%d containers, %d networks, %d images", len(cs.Items), len(ns.Items), len(is.Items))
}
