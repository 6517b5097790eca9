#include "stream_run.h"

#include <utility>

#include "runnel/log.h"

namespace runnel::testdata {

StreamRun::StreamRun(std::shared_ptr<RunningStreams> running, std::string path,
                     std::shared_ptr<runnel::StreamChannel> channel)
    : running_(std::move(running)),
      path_(std::move(path)),
      channel_(std::move(channel)) {
  counted_.emplace(running_.get());
  runnel::log::Info(
      "stream started",
      {{"path", path_}, {"running", std::to_string(running_->count())}});
}

std::shared_ptr<StreamRun> StreamRun::Start(
    std::shared_ptr<RunningStreams> running, std::string path,
    std::shared_ptr<runnel::StreamChannel> channel) {
  std::shared_ptr<StreamRun> run(
      new StreamRun(std::move(running), std::move(path), std::move(channel)));
  // The callback holds the run (and so the channel) until the stream ends;
  // the SDK drops it then, which breaks the cycle.
  run->channel_->OnCancel([run] { run->Stopped(""); });
  return run;
}

bool StreamRun::KeepGoingAfter(const runnel::Status& send_status) {
  if (send_status.ok()) return true;
  if (send_status.code() == runnel::StatusCode::kUnavailable) return true;
  if (send_status.code() != runnel::StatusCode::kCancelled) {
    channel_->End(send_status);
    Stopped(send_status.message());
  }
  return false;
}

void StreamRun::Stopped(const std::string& error) {
  if (!counted_) return;
  counted_.reset();
  runnel::log::Info("stream stopped",
                    {{"path", path_},
                     {"running", std::to_string(running_->count())},
                     {"error", error}});
}

}  // namespace runnel::testdata
