package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// EnvPrefix prefixes every environment override: ORCHESTRATE_LLM_MODE
// sets llm.mode.
const EnvPrefix = "ORCHESTRATE"

// Loader reads a config file and applies the environment and flags over
// it. Flags win over the environment, which wins over the file.
type Loader struct {
	Viper   *viper.Viper           // a fresh viper.New() per command
	Environ func() []string        // usually os.Environ
	Flags   map[string]*pflag.Flag // config key -> flag bound to it
	// Sections are the phases' parts of the config (pipeline.Sections):
	// their defaults are set before the file, environment and flags are
	// read, their checks run after Validate.
	Sections []Section
	// Partial: Sections are some of the phases' (a phase's own tests):
	// keys under phases: and roles of the others are not checked.
	Partial bool
}

// Base is Default with the sections' defaults: the configuration before
// the file, environment and flags.
func Base(sections ...Section) Config {
	c := Default()
	c.Phases = newPhases(sections)
	return c
}

func (l *Loader) base() Config {
	c := Base(l.Sections...)
	c.Phases.partial = l.Partial
	return c
}

// check is Validate, then each section's check.
func (l *Loader) check(c *Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	for _, s := range l.Sections {
		if s.Check == nil {
			continue
		}
		if err := s.Check(c); err != nil {
			return err
		}
	}
	return nil
}

// Load reads path and returns the validated effective config.
func (l *Loader) Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &KeyError{File: path, Msg: "config file not found: create it (the README shows a complete one) or pass --config FILE"}
		}
		return nil, &KeyError{File: path, Msg: fmt.Sprintf("cannot read config file: %v", err)}
	}
	// The strict pass: unknown keys and wrong types, with lines.
	strict := l.base()
	if err := decodeStrict(raw, &strict); err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			ke.File = path
		}
		return nil, err
	}

	v := l.Viper
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(raw)); err != nil {
		return nil, &KeyError{File: path, Msg: err.Error()}
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// AutomaticEnv only answers for keys viper already knows; bind every
	// leaf so ORCHESTRATE_* works for keys the file leaves out.
	for _, k := range LeafKeys(l.Sections...) {
		_ = v.BindEnv(k)
	}
	for key, f := range l.Flags {
		if err := v.BindPFlag(key, f); err != nil {
			return nil, fmt.Errorf("bind flag --%s: %w", f.Name, err)
		}
	}
	cfg := l.base()
	if err := decodeSettings(v.AllSettings(), &cfg); err != nil {
		return nil, &KeyError{File: path, Msg: "environment (" + EnvPrefix + "_*) or flags: " + oneLine(err.Error())}
	}
	// viper folds map keys to lower case; the spec's example bodies and
	// responses are data whose keys must survive as written.
	cfg.Service.Endpoints = strict.Service.Endpoints
	cfg.Service.Env = strict.Service.Env
	// Model names hold dots (qwen2.5-coder:7b, gpt-4.1), which viper reads
	// as key separators: take the prices as the file wrote them.
	cfg.LLM.Prices = strict.LLM.Prices
	if err := l.check(&cfg); err != nil {
		var ke *KeyError
		if errors.As(err, &ke) && ke.File == "" {
			ke.File = path
			ke.Line = lineOfKey(raw, ke.Key)
		}
		return nil, err
	}
	return &cfg, nil
}

// decodeSettings decodes viper's merged settings (file, environment,
// flags) into cfg, each phase's section into its own type.
func decodeSettings(all map[string]any, cfg *Config) error {
	if err := decodeInto(all, cfg); err != nil {
		return err
	}
	phases, _ := all["phases"].(map[string]any)
	vals := maps.Clone(cfg.Phases.vals)
	for _, s := range cfg.Phases.secs {
		raw, ok := phases[s.Key]
		if !ok || s.Key == "" {
			continue
		}
		ptr := reflect.New(reflect.TypeOf(s.Default))
		ptr.Elem().Set(reflect.ValueOf(vals[s.Name]))
		if err := decodeInto(raw, ptr.Interface()); err != nil {
			return fmt.Errorf("phases.%s: %w", s.Key, err)
		}
		vals[s.Name] = ptr.Elem().Interface()
	}
	cfg.Phases.vals = vals
	return nil
}

func decodeInto(in, out any) error {
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:  out,
		TagName: "yaml",
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
		WeaklyTypedInput: true,
	})
	if err != nil {
		return err
	}
	return dec.Decode(in)
}

var (
	unknownRe = regexp.MustCompile(`line (\d+): field (\S+) not found in type`)
	typeRe    = regexp.MustCompile(`line (\d+): cannot unmarshal (\S+) (.*) into (\S+)`)
	lineRe    = regexp.MustCompile(`line (\d+): (.*)`)
)

func decodeStrict(raw []byte, into *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	err := dec.Decode(into)
	var ke *KeyError
	if errors.As(err, &ke) {
		return ke
	}
	if err == nil {
		return secondDocument(dec)
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	msg := err.Error()
	keys := keyLines(raw)
	// The first problem is the one to fix first.
	for _, line := range strings.Split(msg, "\n") {
		if m := unknownRe.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			key := keys[n]
			if key == "" {
				key = m[2]
			}
			return &KeyError{Line: n, Key: key, Msg: fmt.Sprintf("unknown key %q (see `orchestrate config` for the keys there are)", m[2])}
		}
		if m := typeRe.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			return &KeyError{Line: n, Key: keys[n], Msg: fmt.Sprintf("wrong type: %s is not a %s", strings.ReplaceAll(m[3], "`", "\""), goTypeWord(m[4]))}
		}
		if m := lineRe.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			return &KeyError{Line: n, Key: keys[n], Msg: "not valid YAML: " + m[2]}
		}
	}
	return &KeyError{Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// secondDocument refuses a file that goes on after its first document:
// viper reads only the first, so the rest would be silently ignored.
func secondDocument(dec *yaml.Decoder) error {
	var n yaml.Node
	err := dec.Decode(&n)
	if errors.Is(err, io.EOF) {
		return nil
	}
	line := 0
	if err == nil {
		line = n.Line
	}
	return &KeyError{Line: line, Msg: "a second YAML document: the config file holds one YAML document; remove the `---` and what follows, or merge it into the first"}
}

func goTypeWord(t string) string {
	switch {
	case t == "time.Duration":
		return "duration (like 30s or 5m)"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "whole number"
	case strings.HasPrefix(t, "float"):
		return "number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "list"
	case strings.HasPrefix(t, "map[") || strings.HasPrefix(t, "config.") || strings.HasPrefix(t, "spec."):
		return "mapping"
	}
	return t
}

// keyLines maps each line holding a key or a scalar value to the dotted
// path of the first key on it, so a parser error at a line can name it.
func keyLines(raw []byte) map[int]string {
	out := map[int]string{}
	walkKeys(raw, func(line int, path string) {
		if _, ok := out[line]; !ok {
			out[line] = path
		}
	})
	return out
}

// lineOfKey finds the line of a dotted key in the file, 0 when absent.
func lineOfKey(raw []byte, key string) int {
	best := 0
	walkKeys(raw, func(line int, path string) {
		if path == key && best == 0 {
			best = line
		}
	})
	return best
}

func walkKeys(raw []byte, fn func(line int, path string)) {
	var root yaml.Node
	if yaml.Unmarshal(raw, &root) != nil {
		return
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				fn(k.Line, p)
				if v.Kind == yaml.ScalarNode {
					fn(v.Line, p)
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				fn(c.Line, p)
				walk(c, p)
			}
		}
	}
	walk(&root, "")
}

// LeafKeys lists every scalar config key outside maps and lists, dotted:
// the run-wide ones, then the sections' under phases.
func LeafKeys(sections ...Section) []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}):
				walk(ft, key)
			case ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.String:
				// maps and lists of structs are set in the file
			default:
				out = append(out, key)
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	for _, s := range sections {
		if s.Key != "" && s.Default != nil {
			walk(reflect.TypeOf(s.Default), "phases."+s.Key)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "decoding failed due to the following error(s):", "")
	return strings.Join(strings.Fields(s), " ")
}
