// Frame <-> Apache Arrow: the encoding Grafana asks plugins for by default
// (grafana-plugin-sdk-go data/arrow.go). One frame is one Arrow IPC *file*
// ("ARROW1" magic, schema, one record batch, footer), as Go's
// ipc.NewFileWriter writes and ipc.NewFileReader reads:
// - schema metadata: "name" and "refId" always, "meta" (the frame meta JSON,
//   with "typeVersion") when the frame has meta;
// - field metadata: "tstype" (time, number, string, boolean, enum, other),
//   "labels" (a JSON object) when the field has labels, "config" (JSON)
//   when it has config;
// - types: time is a nanosecond Timestamp, int8..uint64 and float32/64 the
//   matching Arrow Int/FloatingPoint, string Utf8, bool Bool, JSON Binary,
//   enum Uint16 (tagged by tstype "enum"); nullable fields are nullable Arrow
//   fields and carry a validity bitmap when they hold a null.
// Pure functions; thread-safe for distinct outputs.
#ifndef RUNNEL_FRAME_ARROW_H_
#define RUNNEL_FRAME_ARROW_H_

#include <string>
#include <string_view>

#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel {

// Encodes frame as an Arrow IPC file into *out. Columns of unequal length
// are InvalidArgument (as in the Go SDK). Meta or field config text that is
// not a JSON object is left out, with one warning per process.
Status FrameToArrow(const Frame& frame, std::string* out);

// Decodes an Arrow IPC file holding one frame, e.g. what a Go SDK plugin
// returns from QueryData. The bytes are untrusted: anything malformed,
// truncated or out of bounds is InvalidArgument, and so are Arrow types and
// features Grafana frames do not use (nested, dictionary-encoded,
// compressed). Timestamps of any unit become nanoseconds. On error *out is
// unchanged.
Status FrameFromArrow(std::string_view bytes, Frame* out);

}  // namespace runnel

#endif  // RUNNEL_FRAME_ARROW_H_
