// Package failure holds the failure taxonomy shared by the runner, the
// phases and triage, and the error type that carries a class.
package failure

import (
	"errors"
	"fmt"
)

// Class is one class of the taxonomy in DESIGN.md, plus the runner's own.
type Class string

// The taxonomy.
const (
	CompileError       Class = "compile_error"
	MissingDependency  Class = "missing_dependency"
	ImportError        Class = "import_error"
	VetFailure         Class = "vet_failure"
	AssertionFailure   Class = "assertion_failure"
	Panic              Class = "panic"
	Timeout            Class = "timeout"
	Flaky              Class = "flaky"
	ServiceUnreachable Class = "service_unreachable"
	HealthcheckFailed  Class = "healthcheck_failed"
	ContainerExited    Class = "container_exited"
	PortConflict       Class = "port_conflict"
	ImageBuildFailed   Class = "image_build_failed"
	DockerUnavailable  Class = "docker_unavailable"
	LLMError           Class = "llm_error"
	Unknown            Class = "unknown"

	// The runner's own classes: not code failures, but a run can end on them.
	ConfigError   Class = "config_error"
	Interrupted   Class = "interrupted"
	InternalError Class = "internal_error"
	LintFindings  Class = "lint_findings"
	// NeedsApproval is the review gate holding a change for a human.
	NeedsApproval Class = "needs_approval"
	// CanaryFailed is a release the canary rolled back (or could not judge).
	CanaryFailed Class = "canary_failed"
)

// All lists every class, in the order the JSON Schema enumerates them.
var All = []Class{
	CompileError, MissingDependency, ImportError, VetFailure, AssertionFailure, Panic,
	Timeout, Flaky, ServiceUnreachable, HealthcheckFailed, ContainerExited, PortConflict,
	ImageBuildFailed, DockerUnavailable, LLMError, Unknown,
	ConfigError, Interrupted, InternalError, LintFindings, NeedsApproval, CanaryFailed,
}

// Owner says who is expected to act on a class: code, test, env or tool.
func Owner(c Class) string {
	switch c {
	case CompileError, MissingDependency, ImportError, VetFailure, Panic, ContainerExited, LintFindings, CanaryFailed:
		return "code"
	case AssertionFailure:
		return "code or test"
	case Timeout:
		return "code or env"
	case Flaky:
		return "test"
	case ServiceUnreachable, PortConflict, DockerUnavailable:
		return "env"
	case HealthcheckFailed, ImageBuildFailed:
		return "env or code"
	case LLMError:
		return "tool"
	case ConfigError, Interrupted, NeedsApproval:
		return "user"
	case InternalError:
		return "orchestrate"
	}
	return "unknown"
}

// Doc says in one line what a class means, for people and for the triage
// role, which must answer with one of them.
func Doc(c Class) string {
	switch c {
	case NeedsApproval:
		return "the review gate holds the change until a human approves it (orchestrate approve)"
	case CompileError:
		return "the code does not compile (undefined names, type mismatches, syntax errors)"
	case MissingDependency:
		return "a module the code imports is missing from go.mod or go.sum"
	case ImportError:
		return "an import is unused, or a package is used without being imported"
	case VetFailure:
		return "go vet or an analyzer reports a problem that fails the build"
	case AssertionFailure:
		return "a test ran and got a different value or status than it wants"
	case Panic:
		return "the code panicked (nil map or pointer, index out of range, explicit panic)"
	case Timeout:
		return "a test or request did not finish in time"
	case Flaky:
		return "fails, then passes when re-run alone"
	case ServiceUnreachable:
		return "the running service refused or dropped the connection"
	case HealthcheckFailed:
		return "the container never became healthy"
	case ContainerExited:
		return "the service's container exited"
	case PortConflict:
		return "the port is already taken on the host"
	case ImageBuildFailed:
		return "building the image failed"
	case DockerUnavailable:
		return "the Docker daemon cannot be reached"
	case LLMError:
		return "a model could not be reached or gave no usable answer"
	case Unknown:
		return "none of the above"
	case CanaryFailed:
		return "the release's canary did worse than its thresholds or the stable release, and was rolled back"
	}
	return string(c)
}

// Error is an error with a class. Where says where to look (a file in the
// run's artifacts, a file:line in the workdir). Partial marks a failure of
// the environment that leaves the rest of the run meaningful: a run whose
// failures are all partial ends "partial", not "failed".
type Error struct {
	Class   Class
	Message string
	Where   string
	Partial bool
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a classified error.
func New(c Class, format string, args ...any) *Error {
	return &Error{Class: c, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies err, keeping it for errors.Is/As.
func Wrap(c Class, err error, format string, args ...any) *Error {
	return &Error{Class: c, Message: fmt.Sprintf(format, args...), Err: err}
}

// ClassOf is the class an error carries, or Unknown.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Unknown
}
