// The smallest Runnel plugin: one stream that sends a counter every 100 ms.
#include <memory>

#include "runnel/runnel.h"

class Counter final : public runnel::SubscribeStreamHandler,
                      public runnel::RunStreamHandler {
 public:
  runnel::Status SubscribeStream(
      const runnel::SubscribeStreamRequest&,
      runnel::SubscribeStreamResponse* resp) override {
    resp->status = runnel::StreamStatus::kOk;
    return runnel::Status::Ok();
  }
  runnel::Status RunStream(const runnel::RunStreamRequest&,
                           runnel::StreamSender& sender) override {
    runnel::Frame frame("counter");
    frame.AddField("n", runnel::FieldType::kInt64);
    for (int64_t n = 0; sender.SleepFor(std::chrono::milliseconds(100)); ++n) {
      frame.ClearRows();
      frame.fields()[0].AppendInt64(n);
      runnel::Status s = sender.SendFrame(frame, runnel::FrameInclude::kAll);
      if (!s.ok()) break;
    }
    return runnel::Status::Ok();
  }
};

int main() {
  auto counter = std::make_shared<Counter>();
  runnel::ServeOptions options;
  options.subscribe_stream = counter;
  options.run_stream = counter;
  return runnel::Serve(options);
}
