package deploy

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// plan is what a Dockerfile asks of an image FROM scratch, when it uses
// only the instructions orchestrate assembles itself: the files to copy
// and the image's config.
type plan struct {
	copies []copyOp
	config v1.Config
}

// copyOp is one file a COPY puts in the image.
type copyOp struct {
	src string // relative to the build context
	dst string // absolute, in the image
}

// defaultPath is the PATH `docker build` gives an image FROM scratch.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// readPlan reads a Dockerfile made of FROM scratch, COPY, USER, ENV,
// EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD and LABEL, in their plain forms.
// Anything else (another base, RUN, WORKDIR, flags, variables, line
// continuations, wildcards) is an error saying what: such a Dockerfile
// goes through a real build.
func readPlan(dockerfile string) (plan, error) {
	p := plan{config: v1.Config{Env: []string{defaultPath}}}
	from := false
	for n, line := range strings.Split(dockerfile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			return p, fmt.Errorf("line %d continues on the next line", n+1)
		}
		word, rest, _ := strings.Cut(line, " ")
		word, rest = strings.ToUpper(word), strings.TrimSpace(rest)
		if !from {
			if word != "FROM" || rest != "scratch" {
				return p, fmt.Errorf("line %d: the image is not FROM scratch", n+1)
			}
			from = true
			continue
		}
		if strings.Contains(rest, "$") && word != "HEALTHCHECK" && word != "ENTRYPOINT" && word != "CMD" {
			return p, fmt.Errorf("line %d: %s uses a variable", n+1, word)
		}
		if err := p.apply(word, rest); err != nil {
			return p, fmt.Errorf("line %d: %s: %w", n+1, word, err)
		}
	}
	if !from {
		return p, fmt.Errorf("no FROM line")
	}
	return p, nil
}

// apply adds one instruction to the plan.
func (p *plan) apply(word, rest string) error {
	c := &p.config
	var err error
	switch word {
	case "COPY":
		err = p.copy(rest)
	case "USER":
		c.User = rest
	case "ENV":
		err = p.env(rest)
	case "LABEL":
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		err = pairs(rest, func(k, v string) { c.Labels[k] = v })
	case "EXPOSE":
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		for _, port := range strings.Fields(rest) {
			if !strings.Contains(port, "/") {
				port += "/tcp"
			}
			c.ExposedPorts[port] = struct{}{}
		}
	case "ENTRYPOINT":
		c.Entrypoint, err = command(rest)
	case "CMD":
		c.Cmd, err = command(rest)
	case "HEALTHCHECK":
		c.Healthcheck, err = healthcheck(rest)
	default:
		return fmt.Errorf("not assembled in-process")
	}
	return err
}

// copy reads `COPY src... dst` (plain or JSON form, no flags, no
// wildcards, files only).
func (p *plan) copy(rest string) error {
	args := strings.Fields(rest)
	if strings.HasPrefix(rest, "[") {
		if err := json.Unmarshal([]byte(rest), &args); err != nil {
			return err
		}
	}
	if len(args) < 2 {
		return fmt.Errorf("wants a source and a destination")
	}
	dst := args[len(args)-1]
	for _, a := range args {
		if strings.HasPrefix(a, "--") || strings.ContainsAny(a, "*?[") {
			return fmt.Errorf("%q: flags and wildcards are not assembled in-process", a)
		}
	}
	if !path.IsAbs(dst) {
		return fmt.Errorf("destination %q is not absolute", dst)
	}
	srcs := args[:len(args)-1]
	if len(srcs) > 1 && !strings.HasSuffix(dst, "/") {
		return fmt.Errorf("several sources want a directory destination ending in /")
	}
	for _, src := range srcs {
		d := dst
		if strings.HasSuffix(dst, "/") {
			d = path.Join(dst, path.Base(src))
		}
		p.copies = append(p.copies, copyOp{src: path.Clean(src), dst: path.Clean(d)})
	}
	return nil
}

// env reads `ENV k=v ...` or the older `ENV k v`; a later value of a
// variable replaces the earlier one.
func (p *plan) env(rest string) error {
	set := func(k, v string) {
		for i, kv := range p.config.Env {
			if strings.HasPrefix(kv, k+"=") {
				p.config.Env[i] = k + "=" + v
				return
			}
		}
		p.config.Env = append(p.config.Env, k+"="+v)
	}
	if k, v, ok := strings.Cut(rest, " "); ok && !strings.Contains(k, "=") {
		set(k, strings.TrimSpace(v))
		return nil
	}
	return pairs(rest, set)
}

// pairs reads space-separated k=v pairs, a value double-quoted or not.
func pairs(s string, set func(k, v string)) error {
	for _, f := range words(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not key=value", f)
		}
		if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`) {
			u, err := strconv.Unquote(v)
			if err != nil || strings.HasPrefix(v, `'`) {
				return fmt.Errorf("value %s: only a plain or simple double-quoted value is assembled in-process", v)
			}
			v = u
		}
		set(k, v)
	}
	return nil
}

// command reads the JSON (exec) form of ENTRYPOINT or CMD; the shell
// form runs under /bin/sh -c, as docker build makes it.
func command(rest string) ([]string, error) {
	if strings.HasPrefix(rest, "[") {
		var args []string
		err := json.Unmarshal([]byte(rest), &args)
		return args, err
	}
	return []string{"/bin/sh", "-c", rest}, nil
}

// healthcheck reads `HEALTHCHECK [--flag=value...] CMD ...` or
// `HEALTHCHECK NONE`.
func healthcheck(rest string) (*v1.HealthConfig, error) {
	hc := &v1.HealthConfig{}
	for strings.HasPrefix(rest, "--") {
		flag, after, _ := strings.Cut(rest, " ")
		rest = strings.TrimSpace(after)
		name, value, ok := strings.Cut(strings.TrimPrefix(flag, "--"), "=")
		if !ok {
			return nil, fmt.Errorf("flag %s has no =value", flag)
		}
		if err := setHealthFlag(hc, name, value); err != nil {
			return nil, err
		}
	}
	word, cmd, _ := strings.Cut(rest, " ")
	switch strings.ToUpper(word) {
	case "NONE":
		return &v1.HealthConfig{Test: []string{"NONE"}}, nil
	case "CMD":
		cmd = strings.TrimSpace(cmd)
		if strings.HasPrefix(cmd, "[") {
			var args []string
			if err := json.Unmarshal([]byte(cmd), &args); err != nil {
				return nil, err
			}
			hc.Test = append([]string{"CMD"}, args...)
		} else {
			hc.Test = []string{"CMD-SHELL", cmd}
		}
		return hc, nil
	}
	return nil, fmt.Errorf("wants CMD or NONE")
}

// setHealthFlag sets one HEALTHCHECK flag.
func setHealthFlag(hc *v1.HealthConfig, name, value string) error {
	if name == "retries" {
		n, err := strconv.Atoi(value)
		hc.Retries = n
		return err
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		return fmt.Errorf("--%s: %w", name, err)
	}
	switch name {
	case "interval":
		hc.Interval = d
	case "timeout":
		hc.Timeout = d
	case "start-period":
		hc.StartPeriod = d
	default:
		return fmt.Errorf("flag --%s is not assembled in-process", name)
	}
	return nil
}

// words splits s at spaces outside double quotes.
func words(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case (r == ' ' || r == '\t') && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
