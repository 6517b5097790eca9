// The smallest Runnel plugin: one stream that sends a counter every 100 ms.
#include <memory>

#include "runnel/runnel.h"

class Counter final : public runnel::RunStreamHandler {
 public:
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
  runnel::ServeOptions options;
  options.subscribe_stream = runnel::AllowAllSubscriptions();
  options.run_stream = std::make_shared<Counter>();
  return runnel::Serve(options);
}
