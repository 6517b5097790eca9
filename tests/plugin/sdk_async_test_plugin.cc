// A plugin for testing the non-blocking RunStream (AsyncRunStreamHandler)
// through Serve(): one stream executor thread, RunStream behaviour chosen
// by path:
//   count/<N>     sends N packets, one per After(0) turn (a refused one is
//                 sent again 1 ms later), then End(Ok)
//   fail          one packet, then End(PermissionDenied("denied by the
//                 test"))
//   start-error   StartStream returns NotFound("no such test stream")
//   throw-start   StartStream throws std::runtime_error("boom at start")
//   throw-tick    a timer callback throws std::runtime_error("boom in tick")
//   flood         sends 1000 packets in one callback without waiting, logs
//                 "flood" with how many were accepted and refused, End(Ok)
//   tick          sends a packet every 10 ms until cancelled; the OnCancel
//                 callback logs "async stream saw the cancel", and a tick
//                 that ran after it would log "tick after the cancel"
//   stopped-timer an After(1 ms) timer that is stopped at once (it would
//                 End with an error), then After(20 ms) ends with Ok
// With RUNNEL_TEST_BOTH_HANDLERS=1 in its env it sets both run_stream and
// async_run_stream, which Serve must refuse.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "runnel/runnel.h"

namespace {

using runnel::Status;
using runnel::StreamChannel;
using std::chrono::milliseconds;

// Sends `left` more packets, one per turn of the stream, then ends.
void CountDown(std::shared_ptr<StreamChannel> stream, long left) {
  if (left == 0) {
    stream->End(Status::Ok());
    return;
  }
  const Status sent =
      stream->SendJSON(R"({"left":)" + std::to_string(left) + "}");
  // A full queue refuses the packet: try it again a little later.
  const long next = sent.ok() ? left - 1 : left;
  const milliseconds wait(sent.ok() ? 0 : 1);
  stream->After(wait, [stream, next] { CountDown(stream, next); });
}

void Flood(StreamChannel& stream) {
  int accepted = 0, refused = 0;
  for (int i = 0; i < 1000; ++i) {
    Status s = stream.SendJSON(R"({"i":)" + std::to_string(i) + "}");
    if (s.ok()) {
      ++accepted;
    } else if (s.code() == runnel::StatusCode::kUnavailable) {
      ++refused;
    }
  }
  runnel::log::Info("flood", {{"accepted", std::to_string(accepted)},
                              {"refused", std::to_string(refused)}});
  stream.End(Status::Ok());
}

void Tick(std::shared_ptr<StreamChannel> stream) {
  auto cancelled = std::make_shared<bool>(false);  // strand: no lock
  stream->OnCancel([cancelled] {
    *cancelled = true;
    runnel::log::Info("async stream saw the cancel");
  });
  // The callback owns the stream; the SDK drops it when the stream ends.
  stream->Every(milliseconds(10), [stream, cancelled] {
    if (*cancelled) runnel::log::Error("tick after the cancel");
    stream->SendJSON(R"({"tick":true})");
  });
}

class AsyncTestStreams final : public runnel::AsyncRunStreamHandler {
 public:
  Status StartStream(const runnel::RunStreamRequest& req,
                     std::shared_ptr<StreamChannel> stream) override {
    const std::string& path = req.path;
    if (path.starts_with("count/")) {
      CountDown(stream, std::stol(path.substr(6)));
    } else if (path == "fail") {
      stream->SendJSON(R"({"before":"failure"})");
      stream->End(Status::PermissionDenied("denied by the test"));
    } else if (path == "start-error") {
      return Status::NotFound("no such test stream");
    } else if (path == "throw-start") {
      throw std::runtime_error("boom at start");
    } else if (path == "throw-tick") {
      stream->Every(milliseconds(1),
                    [] { throw std::runtime_error("boom in tick"); });
    } else if (path == "flood") {
      Flood(*stream);
    } else if (path == "tick") {
      Tick(stream);
    } else if (path == "stopped-timer") {
      const StreamChannel::TimerId id = stream->After(
          milliseconds(1),
          [stream] { stream->End(Status::Internal("a stopped timer ran")); });
      stream->StopTimer(id);
      stream->After(milliseconds(20), [stream] { stream->End(Status::Ok()); });
    }
    return Status::Ok();
  }
};

class BlockingStreams final : public runnel::RunStreamHandler {
 public:
  Status RunStream(const runnel::RunStreamRequest&,
                   runnel::StreamSender&) override {
    return Status::Ok();
  }
};

}  // namespace

int main() {
  runnel::ServeOptions options;
  options.async_run_stream = std::make_shared<AsyncTestStreams>();
  options.stream_threads = 1;
  const char* both = std::getenv("RUNNEL_TEST_BOTH_HANDLERS");
  if (both != nullptr && std::string(both) == "1") {
    options.run_stream = std::make_shared<BlockingStreams>();
  }
  return runnel::Serve(options);
}
