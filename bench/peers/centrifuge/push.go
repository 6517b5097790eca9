// The push route of the Centrifuge peer: Grafana Live's HTTP push endpoint
// (grafana pkg/services/live/pushhttp/push.go), done the way Grafana does
// it, so the push benchmark compares Runnel with Grafana's own pipeline:
//
//	POST /api/live/push/<streamId>[?precision=ns|us|ms|s][&gf_live_frame_format=labels_column]
//
// The body is Influx line protocol, parsed with InfluxDB's parser (Debian's
// golang-github-influxdata-influxdb1-client-dev, package models; Debian's
// golang-github-influxdata-line-protocol-dev is the 2018 encoder-only
// snapshot, without the parser Grafana takes from its later versions). Each
// measurement becomes one labels_column frame as Grafana's telegraf
// converter builds it (grafana pkg/services/live/telemetry/telegraf/
// convert.go): fields `labels` ("k=v, k2=v2", tags sorted), `time`, then
// one nullable field per influx field in the order they first appear (each
// line's fields sorted by key), numbers as float64, one row per line, and
// nulls where a line lacks a field. The frame is encoded as frame JSON
// (grafana-plugin-sdk-go data/frame_json.go) and published with
// node.Publish to "1/stream/<streamId>/<measurement>": schema and data when
// the channel's schema is new or changed, data only otherwise (grafana
// pkg/services/live/managedstream/runner.go and its memory cache).
//
// Only labels_column is converted; another gf_live_frame_format is a 400.
package main

import (
	"bytes"
	"errors"
	"io"
	"log"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/centrifugal/centrifuge"
	"github.com/influxdata/influxdb1-client/models"
)

// maxPushBody is the largest body accepted (413 above it).
const maxPushBody = 16 << 20

// streamIDPattern is the namespace rule of Grafana Live channel ids
// (grafana-plugin-sdk-go live/channel.go).
var streamIDPattern = regexp.MustCompile(`^[A-z0-9_\-.]+$`)

// pushHandler serves POST /api/live/push/<streamId>.
type pushHandler struct {
	node *centrifuge.Node

	mu      sync.Mutex        // guards schemas
	schemas map[string][]byte // channel -> schema JSON of its last frame
}

func newPushHandler(node *centrifuge.Node) *pushHandler {
	models.EnableUintSupport() // telegraf's parser reads 1u too
	return &pushHandler{node: node, schemas: make(map[string][]byte)}
}

func (h *pushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	streamID := strings.TrimPrefix(r.URL.Path, "/api/live/push/")
	if !streamIDPattern.MatchString(streamID) {
		http.Error(w, "invalid stream id", http.StatusBadRequest)
		return
	}
	query := r.URL.Query()
	if format := query.Get("gf_live_frame_format"); format != "" && format != "labels_column" {
		http.Error(w, "unsupported frame format", http.StatusBadRequest)
		return
	}
	precision, ok := influxPrecision(query.Get("precision"))
	if !ok {
		http.Error(w, "unsupported precision", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPushBody+1))
	if err != nil {
		http.Error(w, "error reading body", http.StatusBadRequest)
		return
	}
	if len(body) > maxPushBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	points, err := models.ParsePointsWithPrecision(body, time.Now().UTC(), precision)
	if err != nil {
		http.Error(w, "error parsing metrics: "+err.Error(), http.StatusBadRequest)
		return
	}
	frames, err := convertLabelsColumn(points)
	if err != nil {
		http.Error(w, "error converting metrics: "+err.Error(), http.StatusBadRequest)
		return
	}
	for _, frame := range frames {
		if err := h.publish("1/stream/"+streamID+"/"+frame.name, frame); err != nil {
			log.Printf("push: publish: %v", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// influxPrecision maps the precision parameter to the parser's unit name.
func influxPrecision(value string) (string, bool) {
	switch value {
	case "", "ns", "n":
		return "n", true
	case "us", "u":
		return "u", true
	case "ms":
		return "ms", true
	case "s":
		return "s", true
	}
	return "", false
}

// publish encodes frame and publishes it to channel, with its schema when
// the channel's schema is new or changed.
func (h *pushHandler) publish(channel string, frame *labelsFrame) error {
	schema := frame.appendSchema(nil)
	data := frame.appendData(nil)
	h.mu.Lock()
	changed := !bytes.Equal(h.schemas[channel], schema)
	if changed {
		h.schemas[channel] = schema
	}
	h.mu.Unlock()
	payload := make([]byte, 0, len(schema)+len(data)+24)
	payload = append(payload, '{')
	if changed {
		payload = append(payload, `"schema":`...)
		payload = append(payload, schema...)
		payload = append(payload, ',')
	}
	payload = append(payload, `"data":`...)
	payload = append(payload, data...)
	payload = append(payload, '}')
	_, err := h.node.Publish(channel, payload)
	return err
}

// fieldKind is the frame type of one influx field column.
type fieldKind int

const (
	kindFloat64 fieldKind = iota // every influx number: int, uint, float
	kindString
	kindBool
)

// column is one nullable field of a labels_column frame.
type column struct {
	name    string
	kind    fieldKind
	floats  []float64
	strings []string
	bools   []bool
	null    []bool
}

func (c *column) length() int { return len(c.null) }

func (c *column) appendNull() {
	switch c.kind {
	case kindFloat64:
		c.floats = append(c.floats, 0)
	case kindString:
		c.strings = append(c.strings, "")
	case kindBool:
		c.bools = append(c.bools, false)
	}
	c.null = append(c.null, true)
}

// labelsFrame is one measurement's frame: labels, time, then the fields.
type labelsFrame struct {
	name    string
	labels  []string
	times   []int64 // Unix nanoseconds
	columns []*column
	byName  map[string]int // column index by field name
}

// convertLabelsColumn groups points by measurement, in the order the
// measurements first appear, one row per point.
func convertLabelsColumn(points []models.Point) ([]*labelsFrame, error) {
	var frames []*labelsFrame
	byName := make(map[string]*labelsFrame)
	type field struct {
		key   string
		kind  fieldKind
		value interface{} // float64, string or bool
	}
	var fields []field
	for _, point := range points {
		name := string(point.Name())
		frame, ok := byName[name]
		if !ok {
			frame = &labelsFrame{name: name, byName: make(map[string]int)}
			byName[name] = frame
			frames = append(frames, frame)
		}
		frame.labels = append(frame.labels, labelsString(point.Tags()))
		frame.times = append(frame.times, point.UnixNano())
		row := len(frame.times) - 1

		fields = fields[:0]
		iterator := point.FieldIterator()
		for iterator.Next() {
			f := field{key: string(iterator.FieldKey())}
			var err error
			switch iterator.Type() {
			case models.Float:
				f.kind = kindFloat64
				f.value, err = iterator.FloatValue()
			case models.Integer:
				var v int64
				v, err = iterator.IntegerValue()
				f.kind, f.value = kindFloat64, float64(v)
			case models.Unsigned:
				var v uint64
				v, err = iterator.UnsignedValue()
				f.kind, f.value = kindFloat64, float64(v)
			case models.String:
				f.kind, f.value = kindString, iterator.StringValue()
			case models.Boolean:
				f.kind = kindBool
				f.value, err = iterator.BooleanValue()
			default:
				err = errors.New("empty field " + f.key)
			}
			if err != nil {
				return nil, err
			}
			fields = append(fields, f)
		}
		sort.Slice(fields, func(i, j int) bool { return fields[i].key < fields[j].key })
		for _, f := range fields {
			index, ok := frame.byName[f.key]
			if !ok {
				index = len(frame.columns)
				frame.columns = append(frame.columns, &column{name: f.key, kind: f.kind})
				frame.byName[f.key] = index
			}
			c := frame.columns[index]
			for c.length() < row {
				c.appendNull()
			}
			if c.length() > row {
				continue // a field repeated in one line: the first one counts
			}
			switch {
			case c.kind == f.kind:
				switch c.kind {
				case kindFloat64:
					c.floats = append(c.floats, f.value.(float64))
				case kindString:
					c.strings = append(c.strings, f.value.(string))
				case kindBool:
					c.bools = append(c.bools, f.value.(bool))
				}
				c.null = append(c.null, false)
			case c.kind == kindString:
				// Grafana keeps a mismatched value of a string column as text.
				var text string
				switch v := f.value.(type) {
				case float64:
					text = strconv.FormatFloat(v, 'g', -1, 64)
				case bool:
					text = strconv.FormatBool(v)
				}
				c.strings = append(c.strings, text)
				c.null = append(c.null, false)
			default:
				c.appendNull() // any other mismatch is a null
			}
		}
	}
	for _, frame := range frames {
		for _, c := range frame.columns {
			for c.length() < len(frame.times) {
				c.appendNull()
			}
		}
	}
	return frames, nil
}

// labelsString formats tags as Grafana's data.Labels.String does: sorted
// by key, "k=v" joined by ", ". The parser keeps tags sorted.
func labelsString(tags models.Tags) string {
	var b strings.Builder
	for i, tag := range tags {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(tag.Key)
		b.WriteByte('=')
		b.Write(tag.Value)
	}
	return b.String()
}

// appendSchema appends the frame JSON schema object.
func (f *labelsFrame) appendSchema(buf []byte) []byte {
	buf = append(buf, `{"name":`...)
	buf = appendJSONString(buf, f.name)
	buf = append(buf, `,"fields":[{"name":"labels","type":"string","typeInfo":{"frame":"string"}},`...)
	buf = append(buf, `{"name":"time","type":"time","typeInfo":{"frame":"time.Time"}}`...)
	for _, c := range f.columns {
		buf = append(buf, `,{"name":`...)
		buf = appendJSONString(buf, c.name)
		switch c.kind {
		case kindFloat64:
			buf = append(buf, `,"type":"number","typeInfo":{"frame":"float64","nullable":true}}`...)
		case kindString:
			buf = append(buf, `,"type":"string","typeInfo":{"frame":"string","nullable":true}}`...)
		case kindBool:
			buf = append(buf, `,"type":"boolean","typeInfo":{"frame":"bool","nullable":true}}`...)
		}
	}
	return append(buf, `]}`...)
}

// appendData appends the frame JSON data object: values (time in epoch
// milliseconds), entities when a float is NaN or infinite, nanos when a
// time has a sub-millisecond part.
func (f *labelsFrame) appendData(buf []byte) []byte {
	buf = append(buf, `{"values":[[`...)
	for i, label := range f.labels {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, label)
	}
	buf = append(buf, `],[`...)
	subMillisecond := false
	for i, t := range f.times {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, floorDiv(t, 1e6), 10)
		if floorMod(t, 1e6) != 0 {
			subMillisecond = true
		}
	}
	buf = append(buf, ']')
	var entities []byte
	for index, c := range f.columns {
		buf = append(buf, `,[`...)
		var nan, inf, negInf []int
		for row := 0; row < c.length(); row++ {
			if row > 0 {
				buf = append(buf, ',')
			}
			if c.null[row] {
				buf = append(buf, "null"...)
				continue
			}
			switch c.kind {
			case kindFloat64:
				v := c.floats[row]
				switch {
				case math.IsNaN(v):
					nan = append(nan, row)
					buf = append(buf, "null"...)
				case math.IsInf(v, 1):
					inf = append(inf, row)
					buf = append(buf, "null"...)
				case math.IsInf(v, -1):
					negInf = append(negInf, row)
					buf = append(buf, "null"...)
				default:
					buf = appendJSONFloat(buf, v)
				}
			case kindString:
				buf = appendJSONString(buf, c.strings[row])
			case kindBool:
				buf = strconv.AppendBool(buf, c.bools[row])
			}
		}
		buf = append(buf, ']')
		if nan != nil || inf != nil || negInf != nil {
			if entities == nil {
				// labels, time and the columns before this one: null.
				entities = append(entities, "null,null"...)
				for i := 0; i < index; i++ {
					entities = append(entities, ",null"...)
				}
			}
			entities = appendEntities(append(entities, ','), nan, inf, negInf)
		} else if entities != nil {
			entities = append(entities, ",null"...)
		}
	}
	buf = append(buf, ']')
	if entities != nil {
		buf = append(buf, `,"entities":[`...)
		buf = append(buf, entities...)
		buf = append(buf, ']')
	}
	if subMillisecond {
		buf = append(buf, `,"nanos":[null,[`...)
		for i, t := range f.times {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendInt(buf, floorMod(t, 1e6), 10)
		}
		buf = append(buf, ']')
		for range f.columns {
			buf = append(buf, ",null"...)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}

func appendEntities(buf []byte, nan, inf, negInf []int) []byte {
	buf = append(buf, '{')
	first := true
	for _, list := range []struct {
		key  string
		rows []int
	}{{"NaN", nan}, {"Inf", inf}, {"NegInf", negInf}} {
		if list.rows == nil {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, '"')
		buf = append(buf, list.key...)
		buf = append(buf, `":[`...)
		for i, row := range list.rows {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendInt(buf, int64(row), 10)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}

// appendJSONFloat writes a finite float the way the SDK's JSON writer
// does: plain decimal notation, exponent only for very small or large.
func appendJSONFloat(buf []byte, v float64) []byte {
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(buf, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(buf, v, 'f', -1, 64)
}

// appendJSONString writes s as a JSON string (invalid UTF-8 as U+FFFD).
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, `\ufffd`...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
