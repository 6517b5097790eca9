// FrameMeta: the typed form of a frame's meta (grafana-plugin-sdk-go
// data/frame_meta.go), the members a Grafana frontend reads: type and
// typeVersion, path, custom, notices, channel (the Live channel a panel
// subscribes to after drawing the frame), preferred visualisation and the
// executed query string. A Frame keeps its meta as JSON text
// (Frame::meta_json), so members this struct does not name, e.g. from a Go
// plugin, pass through untouched; these functions convert between the two.
// Pure functions and plain values; thread-safe for distinct outputs.
#ifndef RUNNEL_FRAME_META_H_
#define RUNNEL_FRAME_META_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel {

// Values match the Go SDK's NoticeSeverity; JSON spells them "info",
// "warning", "error".
enum class NoticeSeverity { kInfo = 0, kWarning = 1, kError = 2 };

// Values match the Go SDK's InspectType, which JSON writes as the number
// (0 is left out).
enum class InspectType { kNone = 0, kMeta, kError, kData, kStats };

// A message Grafana shows with the data.
struct Notice {
  NoticeSeverity severity = NoticeSeverity::kInfo;
  std::string text;
  std::string link;  // optional; absolute or relative to Grafana's root
  InspectType inspect = InspectType::kNone;
};

struct FrameMeta {
  std::string type;                            // e.g. "timeseries-multi"
  std::array<uint32_t, 2> type_version{0, 0};  // dataplane [major, minor]
  std::string path;
  std::string path_separator;
  std::string custom_json;  // any JSON value, "" when unset
  std::vector<Notice> notices;
  std::string channel;  // e.g. "ds/<uid>/random-20Hz-stream"
  std::string preferred_visualisation_type;  // "graph", "table", "logs", ...
  std::string preferred_visualisation_plugin_id;
  std::string executed_query_string;
  std::string data_topic;  // "annotations" or ""
};

// Go's json.Marshal of its FrameMeta: members in Go's order, empty ones left
// out except typeVersion. custom_json that is not valid JSON is left out.
std::string FrameMetaToJSON(const FrameMeta& meta);

// Reads the members above from meta JSON (others are ignored). Text that is
// not a JSON object, or a member of the wrong shape, is InvalidArgument.
Status FrameMetaFromJSON(std::string_view json, FrameMeta* meta);

// Sets frame.meta_json() from meta.
void SetFrameMeta(Frame& frame, const FrameMeta& meta);

}  // namespace runnel

#endif  // RUNNEL_FRAME_META_H_
