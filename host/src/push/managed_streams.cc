#include "push/managed_streams.h"

#include <utility>

#include "push/frame_format.h"
#include "push/precision.h"
#include "runnel/frame_json.h"
#include "runnel/live_channel.h"

namespace runnel::host {
namespace {

constexpr std::string_view kStreamScope = "stream";

PushOutcome BadRequest(std::string message) {
  return PushOutcome{400, std::move(message), 0};
}

// {"schema":S} and {"data":D} joined as FrameToJSON(kAll) writes them:
// {"schema":S,"data":D}. Saves encoding the columns twice.
std::string JoinSchemaAndData(std::string_view schema_json,
                              std::string_view data_json) {
  std::string full;
  full.reserve(schema_json.size() + data_json.size());
  full.append(schema_json.substr(0, schema_json.size() - 1));
  full.push_back(',');
  full.append(data_json.substr(1));
  return full;
}

}  // namespace

std::optional<PushOutcome> ManagedStreams::ReadOptions(
    const PushRequest& request, ConvertOptions* options) const {
  // The stream id must make a channel namespace on its own.
  std::string probe =
      std::string(kStreamScope) + "/" + std::string(request.stream_id) + "/x";
  if (request.stream_id.find('/') != std::string_view::npos ||
      !ParseChannel(probe)) {
    return BadRequest("invalid stream id \"" + std::string(request.stream_id) +
                      "\": it must be 1 or more of A-Z, a-z, 0-9, _, - and .");
  }
  options->parse.limits = parse_limits_;
  options->limits = convert_limits_;
  if (request.precision) {
    std::optional<Precision> precision =
        PrecisionFromString(*request.precision);
    if (!precision) {
      return BadRequest("invalid precision \"" + *request.precision +
                        "\": use ns, us, ms or s");
    }
    options->parse.precision = *precision;
  }
  if (request.frame_format) {
    std::optional<FrameFormat> format =
        FrameFormatFromQuery(*request.frame_format);
    if (!format) {
      return BadRequest("unknown gf_live_frame_format \"" +
                        *request.frame_format +
                        "\": use labels_column or wide");
    }
    options->format = *format;
  }
  return std::nullopt;
}

std::optional<PushOutcome> ManagedStreams::Prepare(
    const PushRequest& request, std::vector<MeasurementFrame>& frames,
    std::vector<Prepared>* out) {
  const std::string prefix = std::to_string(request.org_id) + "/" +
                             std::string(kStreamScope) + "/" +
                             std::string(request.stream_id) + "/";
  std::vector<std::string> channels;
  for (MeasurementFrame& frame : frames) {
    Prepared prepared;
    prepared.channel = prefix + frame.key;
    std::string why;
    if (!ParseOrgChannel(prepared.channel, nullptr, &why)) {
      return BadRequest("measurement \"" + frame.key +
                        "\" makes an invalid channel id: " + why);
    }
    prepared.schema_json = FrameToJSON(frame.frame, FrameInclude::kSchemaOnly);
    prepared.data_json = FrameToJSON(frame.frame, FrameInclude::kDataOnly);
    prepared.full_json =
        JoinSchemaAndData(prepared.schema_json, prepared.data_json);
    if (!hub_.CheckPublicationSize(prepared.channel, prepared.full_json.size())
             .ok()) {
      return PushOutcome{413,
                         "the frame of measurement \"" + frame.key + "\" is " +
                             std::to_string(prepared.full_json.size()) +
                             " bytes of JSON, over the publication limit (" +
                             std::to_string(hub_.max_publication_size()) +
                             "): send fewer lines per body",
                         0};
    }
    channels.push_back(prepared.channel);
    out->push_back(std::move(prepared));
  }
  if (!store_.HasRoomFor(channels)) {
    return PushOutcome{503,
                       "too many managed stream channels: the host keeps at "
                       "most [live] push_max_channels",
                       0};
  }
  return std::nullopt;
}

void ManagedStreams::Publish(Prepared& frame, int64_t now_unix_ms) {
  StoredMessage stored{std::move(frame.schema_json), std::move(frame.full_json),
                       now_unix_ms};
  // The hub refuses nothing here: Prepare checked the size. A Put refused
  // for room (another body took the last places meanwhile) drops the frame.
  // The callback may run later (a Redis store), so it owns its data.
  (void)store_.Put(frame.channel, std::move(stored),
                   [&hub = hub_, channel = frame.channel,
                    data_json = std::move(frame.data_json)](
                       bool schema_changed, const StoredMessage& kept) {
                     (void)hub.Publish(
                         channel, schema_changed ? kept.message : data_json);
                   });
}

PushOutcome ManagedStreams::Push(const PushRequest& request) {
  ConvertOptions options;
  if (std::optional<PushOutcome> refused = ReadOptions(request, &options)) {
    return *refused;
  }
  if (request.body.size() > parse_limits_.max_body_bytes) {
    return PushOutcome{413,
                       "the body is " + std::to_string(request.body.size()) +
                           " bytes, over the limit of " +
                           std::to_string(parse_limits_.max_body_bytes),
                       0};
  }
  const Timestamp now = Timestamp::Now();
  std::vector<MeasurementFrame> frames;
  Status converted = ConvertLineProtocol(request.body, options, now, frames);
  if (!converted.ok()) return BadRequest(converted.message());
  std::vector<Prepared> prepared;
  prepared.reserve(frames.size());
  if (std::optional<PushOutcome> refused =
          Prepare(request, frames, &prepared)) {
    return *refused;
  }
  const int64_t now_unix_ms = now.unix_nanos / 1'000'000;
  for (Prepared& frame : prepared) Publish(frame, now_unix_ms);
  return PushOutcome{200, "", prepared.size()};
}

}  // namespace runnel::host
