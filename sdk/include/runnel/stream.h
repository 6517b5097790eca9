// Streaming handlers: SubscribeStream, PublishStream and RunStream, the three
// calls behind a Grafana Live channel served by a plugin (grafana-plugin-sdk-go
// backend/stream.go).
// Handlers are called concurrently from gRPC threads; an implementation must
// be thread-safe. RunStream runs on its own thread until it returns: simple
// to write, but a thread per running stream. For many streams use the
// non-blocking AsyncRunStreamHandler (async_stream.h) instead.
#ifndef RUNNEL_STREAM_H_
#define RUNNEL_STREAM_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "runnel/frame.h"
#include "runnel/frame_json.h"
#include "runnel/plugin_context.h"
#include "runnel/status.h"

namespace runnel {

enum class StreamStatus { kOk = 0, kNotFound = 1, kPermissionDenied = 2 };

// The common shape of the three stream requests.
struct StreamRequest {
  PluginContext plugin_context;
  std::string path;  // the path part of the channel
  std::string data;  // raw JSON from the subscriber (may be empty)
  std::map<std::string, std::string> headers;
};
using SubscribeStreamRequest = StreamRequest;
using PublishStreamRequest = StreamRequest;
using RunStreamRequest = StreamRequest;

struct SubscribeStreamResponse {
  StreamStatus status = StreamStatus::kOk;
  // JSON sent back to the subscriber, typically a schema-only frame made with
  // FrameToJSON(frame, FrameInclude::kSchemaOnly). Empty: none.
  std::string initial_data;
};

struct PublishStreamResponse {
  StreamStatus status = StreamStatus::kOk;
  // JSON the host publishes into the channel. Empty: nothing is published.
  std::string data;
};

// Sends packets of one RunStream to the host. Owned by the SDK; valid only
// during the RunStream call. Only the RunStream thread may use it.
class StreamSender {
 public:
  virtual ~StreamSender() = default;

  // Encodes the frame as Grafana frame JSON and sends it.
  Status SendFrame(const Frame& frame, FrameInclude include);
  // Sends JSON; InvalidArgument if it is not valid JSON.
  Status SendJSON(std::string_view json);
  // Sends the bytes as they are. Cancelled once the host has gone.
  virtual Status SendBytes(std::string_view bytes) = 0;

  // True once the host cancelled the call (or disconnected).
  virtual bool Cancelled() const = 0;
  // Sleeps up to `d`; returns false early if the call is cancelled.
  virtual bool SleepFor(std::chrono::nanoseconds d) = 0;

 private:
  std::string scratch_;  // reused encode buffer for SendFrame
};

class SubscribeStreamHandler {
 public:
  virtual ~SubscribeStreamHandler() = default;
  virtual Status SubscribeStream(const SubscribeStreamRequest& req,
                                 SubscribeStreamResponse* resp) = 0;
};

// Accepts every subscription, with no initial data: the SubscribeStream
// handler of a plugin whose RunStream serves whatever path it is given.
// Stateless; one instance may be shared by any number of Serve() runs.
std::shared_ptr<SubscribeStreamHandler> AllowAllSubscriptions();

class PublishStreamHandler {
 public:
  virtual ~PublishStreamHandler() = default;
  virtual Status PublishStream(const PublishStreamRequest& req,
                               PublishStreamResponse* resp) = 0;
};

class RunStreamHandler {
 public:
  virtual ~RunStreamHandler() = default;
  // Runs until the stream ends. Return Ok to end cleanly (the host stops the
  // stream); return an error to have the host restart it with backoff.
  virtual Status RunStream(const RunStreamRequest& req,
                           StreamSender& sender) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_STREAM_H_
