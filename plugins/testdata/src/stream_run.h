// StreamRun: the bookkeeping of one running testdata stream, from
// StartStream to its end: it is counted in RunningStreams and logged
// ("stream started", then once "stream stopped" with the error if any),
// whether the host cancels it or the plugin ends it.
// Thread-safety: none; used only from the stream's own callbacks, which the
// SDK runs one at a time.
#ifndef RUNNEL_PLUGINS_TESTDATA_STREAM_RUN_H_
#define RUNNEL_PLUGINS_TESTDATA_STREAM_RUN_H_

#include <memory>
#include <optional>
#include <string>

#include "runnel/async_stream.h"
#include "running_streams.h"

namespace runnel::testdata {

class StreamRun {
 public:
  // Counts and logs the start; arranges for the host's cancel to be seen.
  static std::shared_ptr<StreamRun> Start(
      std::shared_ptr<RunningStreams> running, std::string path,
      std::shared_ptr<runnel::StreamChannel> channel);
  ~StreamRun() { Stopped(""); }
  StreamRun(const StreamRun&) = delete;
  StreamRun& operator=(const StreamRun&) = delete;

  runnel::StreamChannel& channel() { return *channel_; }

  // Handles a failed send: kUnavailable (the host reads slowly) drops the
  // packet and the stream goes on (returns true); kCancelled means the
  // stream is over already; any other error ends the stream with it.
  bool KeepGoingAfter(const runnel::Status& send_status);

 private:
  StreamRun(std::shared_ptr<RunningStreams> running, std::string path,
            std::shared_ptr<runnel::StreamChannel> channel);
  // Logs the stop and uncounts the stream; later calls do nothing.
  void Stopped(const std::string& error);

  std::shared_ptr<RunningStreams> running_;
  std::string path_;
  std::shared_ptr<runnel::StreamChannel> channel_;
  std::optional<RunningStreams::Guard> counted_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_STREAM_RUN_H_
