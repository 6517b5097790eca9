// Points to data frames as Grafana's telegraf converter makes them (grafana
// pkg/services/live/telemetry/telegraf/convert.go, used by pushhttp for
// POST /api/live/push/:streamId): frames in the order their key first
// appears, each named after its measurement and pushed to
// stream/<streamId>/<measurement>. See FrameFormat for the two shapes.
//
// Where the body leaves a choice, Grafana's answers are kept: the last
// value of a repeated tag or field key wins; a labels_column column takes
// its type from the first value it meets, and a later value of another
// type becomes null, or its Go "%v" text in a string column. A point
// without a timestamp gets `now`: one clock reading per body, as InfluxDB
// gives a write request (Grafana's parser reads the clock per line).
//
// Limit: labels_column fills missing values with nulls, so a body whose
// lines each bring new field keys costs rows x columns cells; the total
// cell count over all frames is bounded (ConvertLimits::max_cells) and a
// body over it is refused whole. Thread-safety: pure functions.
#ifndef RUNNEL_HOST_PUSH_TELEGRAF_FRAMES_H_
#define RUNNEL_HOST_PUSH_TELEGRAF_FRAMES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "push/frame_format.h"
#include "push/line_protocol.h"
#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel::host {

struct MeasurementFrame {
  std::string key;  // the measurement: the channel's last path segment
  Frame frame;
};

struct ConvertLimits {
  // Values in all frames of one body, nulls included (4M cells: about
  // 40 MB of columns).
  size_t max_cells = 4 << 20;
};

struct ConvertOptions {
  FrameFormat format = FrameFormat::kLabelsColumn;
  ParseOptions parse;
  ConvertLimits limits;
};

// Converts parsed points. On error (InvalidArgument: over the cell limit)
// `out` is empty.
Status ConvertPoints(const PointBatch& batch, FrameFormat format, Timestamp now,
                     const ConvertLimits& limits,
                     std::vector<MeasurementFrame>& out);

// Parses `body` and converts it: the whole push in one call. A parse error
// is InvalidArgument "error parsing metrics: line L, column C: ...".
Status ConvertLineProtocol(std::string_view body, const ConvertOptions& options,
                           Timestamp now, std::vector<MeasurementFrame>& out);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_TELEGRAF_FRAMES_H_
