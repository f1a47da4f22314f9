// Package emf writes CloudWatch Embedded Metric Format lines: JSON log
// lines that CloudWatch Logs turns into metrics on its own, so a process
// whose stdout is shipped there (ECS's awslogs driver) publishes metrics
// without calling the CloudWatch API, holding credentials for it, or
// batching. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// Metric is one value of a line. Unit is one of CloudWatch's units
// ("Seconds", "Count", ...); empty leaves it out.
type Metric struct {
	Name  string
	Unit  string
	Value float64
}

// Dimension is one dimension of a line's metrics.
type Dimension struct {
	Name, Value string
}

// Limits of the specification that a line must respect, or CloudWatch
// drops the metrics of the line without saying so anywhere but its own
// error metrics.
const (
	maxMetrics    = 100
	maxDimensions = 30
	maxNameLen    = 255
)

// Encode returns one EMF line (without its newline): metrics at ts in
// namespace, all with the one dimension set dims. The keys come in a
// fixed order (_aws, the dimensions, the metrics), so a line is
// reproducible byte for byte.
func Encode(ts time.Time, namespace string, dims []Dimension, metrics []Metric) ([]byte, error) {
	if err := check(namespace, dims, metrics); err != nil {
		return nil, err
	}
	type metricDef struct {
		Name string `json:"Name"`
		Unit string `json:"Unit,omitempty"`
	}
	type directive struct {
		Namespace  string      `json:"Namespace"`
		Dimensions [][]string  `json:"Dimensions"`
		Metrics    []metricDef `json:"Metrics"`
	}
	d := directive{Namespace: namespace, Dimensions: [][]string{make([]string, 0, len(dims))}}
	for _, dim := range dims {
		d.Dimensions[0] = append(d.Dimensions[0], dim.Name)
	}
	for _, m := range metrics {
		d.Metrics = append(d.Metrics, metricDef{Name: m.Name, Unit: m.Unit})
	}
	meta, err := json.Marshal(struct {
		Timestamp         int64       `json:"Timestamp"`
		CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
	}{ts.UnixMilli(), []directive{d}})
	if err != nil {
		return nil, fmt.Errorf("emf: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(`{"_aws":`)
	b.Write(meta)
	field := func(name string, v any) error {
		k, _ := json.Marshal(name)
		val, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("emf: %s: %w", name, err)
		}
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	for _, dim := range dims {
		if err := field(dim.Name, dim.Value); err != nil {
			return nil, err
		}
	}
	for _, m := range metrics {
		if err := field(m.Name, m.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func check(namespace string, dims []Dimension, metrics []Metric) error {
	var errs []error
	if namespace == "" || len(namespace) > maxNameLen {
		errs = append(errs, fmt.Errorf("namespace %q: want 1-%d characters", namespace, maxNameLen))
	}
	if len(metrics) == 0 || len(metrics) > maxMetrics {
		errs = append(errs, fmt.Errorf("%d metrics: want 1-%d", len(metrics), maxMetrics))
	}
	if len(dims) > maxDimensions {
		errs = append(errs, fmt.Errorf("%d dimensions: want at most %d", len(dims), maxDimensions))
	}
	// Dimensions and metrics share the line's top level with _aws.
	seen := map[string]bool{"_aws": true}
	name := func(kind, n string) {
		if n == "" || len(n) > maxNameLen || seen[n] {
			errs = append(errs, fmt.Errorf("%s name %q: empty, too long, or used twice", kind, n))
		}
		seen[n] = true
	}
	for _, d := range dims {
		name("dimension", d.Name)
		if d.Value == "" {
			errs = append(errs, fmt.Errorf("dimension %q: empty value", d.Name))
		}
	}
	for _, m := range metrics {
		name("metric", m.Name)
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			errs = append(errs, fmt.Errorf("metric %q: value %v is not a number CloudWatch takes", m.Name, m.Value))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("emf: %w", err)
	}
	return nil
}

// Writer writes EMF lines of one namespace and dimension set to w, one
// Write call per line so that lines from several goroutines never
// interleave.
type Writer struct {
	namespace string
	dims      []Dimension

	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer, namespace string, dims ...Dimension) *Writer {
	return &Writer{w: w, namespace: namespace, dims: dims}
}

// Write writes one line of metrics at ts.
func (w *Writer) Write(ts time.Time, metrics ...Metric) error {
	line, err := Encode(ts, w.namespace, w.dims, metrics)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.w.Write(line); err != nil {
		return fmt.Errorf("emf: write: %w", err)
	}
	return nil
}
