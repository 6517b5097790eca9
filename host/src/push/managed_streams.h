// ManagedStreams: the push API's publishing half (grafana
// pkg/services/live/managedstream runner.go, pushhttp/push.go). A body of
// Influx line protocol becomes frames, and each frame goes to
// stream/<streamId>/<measurement> of the pusher's org:
//   - the first frame of a channel, or one whose schema changed, is
//     published with its schema; later ones data-only;
//   - the last full frame (schema and data) is kept in the
//     LastMessageStore, for new subscribers' initial data.
// All or nothing: a body is checked whole (syntax, channel ids, publication
// size, room in the store) before any of it is published.
//
// Thread-safety: Push from any thread; it takes no lock of its own. Borrows
// the hub and the store, which must outlive it.
#ifndef RUNNEL_HOST_PUSH_MANAGED_STREAMS_H_
#define RUNNEL_HOST_PUSH_MANAGED_STREAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "live/hub.h"
#include "live/last_message_store.h"
#include "push/telegraf_frames.h"

namespace runnel::host {

struct PushRequest {
  int64_t org_id = 1;
  std::string_view stream_id;
  std::string_view body;
  // The query parameters as sent; nullopt when absent (the defaults: ns,
  // labels_column).
  std::optional<std::string> precision;
  std::optional<std::string> frame_format;
};

// An HTTP status (200, 400, 413, 503) and what went wrong ("" on 200).
struct PushOutcome {
  int status = 200;
  std::string message;
  size_t frames = 0;  // published
};

class ManagedStreams {
 public:
  // `limits` bound the parse and the conversion of one body.
  ManagedStreams(Hub& hub, LastMessageStore& store, ParseLimits parse_limits,
                 ConvertLimits convert_limits)
      : hub_(hub),
        store_(store),
        parse_limits_(parse_limits),
        convert_limits_(convert_limits) {}

  PushOutcome Push(const PushRequest& request);

 private:
  // One frame, encoded, with its channel.
  struct Prepared {
    std::string channel;
    std::string schema_json;  // {"schema":..}
    std::string data_json;    // {"data":..}
    std::string full_json;    // {"schema":..,"data":..}
  };
  // The options of `request`, or the 400 that refuses them.
  std::optional<PushOutcome> ReadOptions(const PushRequest& request,
                                         ConvertOptions* options) const;
  // Encodes the frames and checks every channel id and size.
  std::optional<PushOutcome> Prepare(const PushRequest& request,
                                     std::vector<MeasurementFrame>& frames,
                                     std::vector<Prepared>* out);
  // Moves the frame's JSON into the store and publishes it.
  void Publish(Prepared& frame, int64_t now_unix_ms);

  Hub& hub_;
  LastMessageStore& store_;
  const ParseLimits parse_limits_;
  const ConvertLimits convert_limits_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_MANAGED_STREAMS_H_
