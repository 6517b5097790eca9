#include "run_stream_fleet.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace runnel::testing {

// One RunStream call: reads packets until the call ends.
class RunStreamFleet::Call final
    : public grpc::ClientReadReactor<pluginv2::StreamPacket> {
 public:
  Call(RunStreamFleet* fleet, const std::string& path) : fleet_(fleet) {
    request_.set_path(path);
    fleet->stub_->async()->RunStream(&context_, &request_, this);
    StartRead(&packet_);
    StartCall();
  }

  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    if (packets_++ == 0) fleet_->NoteFirstPacket();
    StartRead(&packet_);
  }
  void OnDone(const grpc::Status& status) override {
    fleet_->NoteEnded(status.error_code());
  }

 private:
  RunStreamFleet* const fleet_;
  grpc::ClientContext context_;
  pluginv2::RunStreamRequest request_;
  pluginv2::StreamPacket packet_;
  size_t packets_ = 0;  // only gRPC's reaction thread of this call
};

RunStreamFleet::RunStreamFleet(std::shared_ptr<grpc::Channel> channel)
    : stub_(pluginv2::Stream::NewStub(std::move(channel))) {}

RunStreamFleet::~RunStreamFleet() {
  CancelAll();
  // The calls point at this fleet until OnDone; freeing it earlier would
  // let gRPC write into freed memory, so a call that never ends is fatal.
  if (!WaitForEnded(calls_.size(), std::chrono::seconds(30))) {
    std::fprintf(stderr, "RunStreamFleet: %zu of %zu calls never ended\n",
                 calls_.size() - ended(), calls_.size());
    std::abort();
  }
}

void RunStreamFleet::Open(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    calls_.push_back(std::make_unique<Call>(this, path));
  }
}

void RunStreamFleet::CancelAll() {
  for (auto& call : calls_) call->Cancel();
}

void RunStreamFleet::NoteFirstPacket() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++with_packets_;
  }
  changed_.notify_all();
}

void RunStreamFleet::NoteEnded(grpc::StatusCode code) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++ended_;
    ++end_codes_[code];
  }
  changed_.notify_all();
}

bool RunStreamFleet::WaitFor(const std::function<bool()>& done,
                             std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, done);
}

bool RunStreamFleet::WaitForStreamsWithPackets(
    size_t n, std::chrono::milliseconds timeout) {
  return WaitFor([&] { return with_packets_ >= n; }, timeout);
}

bool RunStreamFleet::WaitForEnded(size_t n, std::chrono::milliseconds timeout) {
  return WaitFor([&] { return ended_ >= n; }, timeout);
}

size_t RunStreamFleet::streams_with_packets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return with_packets_;
}

size_t RunStreamFleet::ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_;
}

std::map<grpc::StatusCode, size_t> RunStreamFleet::end_codes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_codes_;
}

}  // namespace runnel::testing
