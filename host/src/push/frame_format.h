// FrameFormat: how pushed points become frames, chosen per request by the
// `gf_live_frame_format` query parameter (grafana pkg/services/live/pushurl
// values.go: lower-cased, empty means labels_column; pushhttp/push.go
// answers 400 to anything the converter does not know). Pure; thread-safe.
#ifndef RUNNEL_HOST_PUSH_FRAME_FORMAT_H_
#define RUNNEL_HOST_PUSH_FRAME_FORMAT_H_

#include <optional>
#include <string_view>

namespace runnel::host {

enum class FrameFormat {
  // One frame per measurement: a "labels" string column, "time", then one
  // nullable column per field key; a row per line.
  kLabelsColumn,
  // One frame per (measurement, time): "time", then a one-row column per
  // field of each line, with the line's tags as the column's labels.
  kWide,
};

// "labels_column" (also ""), "wide", in any case; nullopt otherwise.
std::optional<FrameFormat> FrameFormatFromQuery(std::string_view value);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_FRAME_FORMAT_H_
