package deploy

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Detail is what the phase did, for the report.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: phase.Deploy}
	if o.reused != nil {
		d.Facts = append(d.Facts, o.reused.fact())
	}
	d.Facts = append(d.Facts, fmt.Sprintf("Docker %s (API %s) at %s", o.Engine.Version, o.Engine.API, o.Engine.Host))
	if o.Image.Tag != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("image `%s`, %.1f MB, FROM scratch around the static binary: binary %.2fs, image %.2fs (log %s)",
			o.Image.Tag, float64(o.Image.SizeBytes)/1e6, o.Timings.BinarySeconds, o.Timings.ImageSeconds, o.Image.Log))
	}
	if o.Image.MadeBy != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("image: %s, because %s", o.Image.MadeBy, o.Image.Why))
	}
	for _, sv := range o.Services {
		var ports []string
		for _, p := range sv.Ports {
			ports = append(ports, fmt.Sprintf("%d→%d", p.Host, p.Target))
		}
		d.Facts = append(d.Facts, fmt.Sprintf("service `%s`: %s, ports %s, logs %s", sv.Name, sv.Health, strings.Join(ports, " "), sv.Log))
		if sv.ReadyBy != "" {
			d.Facts = append(d.Facts, fmt.Sprintf("service `%s`: ready by %s; Docker's own health status then: %s", sv.Name, sv.ReadyBy, orNone(sv.DockerHealth)))
		}
	}
	switch {
	case o.URL != "" && o.reused != nil:
		d.Facts = append(d.Facts, fmt.Sprintf("then: started in %.2fs, healthy after %.2fs more, at %s (gone with that run)", o.Timings.StartSeconds, o.Timings.HealthSeconds, o.URL))
	case o.URL != "":
		d.Facts = append(d.Facts, fmt.Sprintf("started in %.2fs, healthy after %.2fs more, at %s on network `%s`", o.Timings.StartSeconds, o.Timings.HealthSeconds, o.URL, o.Network))
	}
	if o.Kept {
		d.Facts = append(d.Facts, "left running (--keep): `orchestrate down RUN-ID` removes it")
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "none (no healthcheck)"
	}
	return s
}
