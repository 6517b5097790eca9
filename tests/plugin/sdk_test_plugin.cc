// A plugin for testing Serve() itself: only SubscribeStream and RunStream
// handlers (so Data, Diagnostics and Resource are not registered and
// PublishStream has no handler). RunStream behaviour is chosen by path:
//   burst/<N>     N small frames as fast as possible, then returns Ok
//   fail          one packet, then PermissionDenied("denied by the test")
//   throw         throws std::runtime_error("boom")
//   invalid-json  returns what SendJSON("{bad") returned
//   stdout        prints to stdout (must reach stderr), sends one packet,
//                 then waits for the cancel
//   wait          sleeps until cancelled, then returns Ok
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "runnel/runnel.h"

namespace {

class TestStreams final : public runnel::RunStreamHandler {
 public:
  runnel::Status RunStream(const runnel::RunStreamRequest& req,
                           runnel::StreamSender& sender) override {
    const std::string& path = req.path;
    if (path.starts_with("burst/")) {
      const long n = std::stol(path.substr(6));
      runnel::Frame frame("burst");
      frame.AddField("i", runnel::FieldType::kInt64);
      for (long i = 0; i < n; ++i) {
        frame.ClearRows();
        frame.fields()[0].AppendInt64(i);
        runnel::Status s =
            sender.SendFrame(frame, runnel::FrameInclude::kDataOnly);
        if (!s.ok()) return s;
      }
      return runnel::Status::Ok();
    }
    if (path == "fail") {
      sender.SendJSON(R"({"before":"failure"})");
      return runnel::Status::PermissionDenied("denied by the test");
    }
    if (path == "throw") throw std::runtime_error("boom");
    if (path == "invalid-json") return sender.SendJSON("{bad");
    if (path == "stdout") {
      std::printf("stray printf from the author\n");
      std::cout << "stray cout from the author" << std::endl;
      std::fflush(stdout);
      sender.SendJSON(R"({"printed":true})");
    }
    while (sender.SleepFor(std::chrono::hours(1))) {
    }
    runnel::log::Info("test stream saw the cancel", {{"path", path}});
    return runnel::Status::Ok();
  }
};

}  // namespace

int main() {
  runnel::ServeOptions options;
  options.subscribe_stream = runnel::AllowAllSubscriptions();
  options.run_stream = std::make_shared<TestStreams>();
  return runnel::Serve(options);
}
