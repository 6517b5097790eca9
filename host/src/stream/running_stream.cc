#include "stream/running_stream.h"

#include <nlohmann/json.hpp>

#include "runnel/log.h"
#include "stream/callback_guard.h"

namespace runnel::host {
namespace {
using Clock = std::chrono::steady_clock;
// While the plugin is down, how often to look again in case a restart
// notification was missed.
constexpr std::chrono::milliseconds kPluginDownPoll{500};
}  // namespace

RunningStream::RunningStream(std::string wire_channel, Supervisor* plugin,
                             MakeRequestFn make_request, PublishFn publish,
                             RunningStreamCounters* counters, TimerLoop* timers,
                             std::function<void(RunningStream*)> on_ended)
    : wire_channel_(std::move(wire_channel)),
      plugin_(plugin),
      make_request_(std::move(make_request)),
      publish_(std::move(publish)),
      counters_(counters),
      on_ended_(std::move(on_ended)),
      timer_loop_(timers),
      timer_(timers->context()) {}

// Nothing is pending by now: a pending call or timer holds a reference.
RunningStream::~RunningStream() = default;

Status RunningStream::Start() {
  std::string why;
  if (GuardCallback(
          "RunStream start", [this] { Attempt(); }, &why)) {
    return Status::Ok();
  }
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  return Status::Internal("could not start RunStream: " + why);
}

void RunningStream::Attempt() {
  // Read outside mu_, which is held only for the stream's own state: the
  // supervisor's lock is never taken under it.
  PluginConnection connection = plugin_->connection();
  std::shared_ptr<RunStreamCall> call;
  if (connection.channel) {
    auto self = shared_from_this();
    call = std::make_shared<RunStreamCall>(
        connection.channel, make_request_(),
        [self](const std::string& data) { return self->OnPacket(data); },
        [self](const grpc::Status& status) { self->OnCallDone(status); },
        &timer_loop_->context());
  }
  {
    absl::MutexLock lock(&mu_);
    waiting_ = false;
    if (cancelled_) return;
    restart_signal_ = false;
    if (call == nullptr) {  // the plugin is restarting
      WaitLocked(kPluginDownPoll);
      return;
    }
    if (!first_run_) counters_->restarts.fetch_add(1);
    first_run_ = false;
    invalid_packet_ = false;
    run_started_ = Clock::now();
    call_ = call;
  }
  // Outside mu_: gRPC may run the call's reactions on this thread.
  call->Start();
}

void RunningStream::WaitLocked(std::chrono::milliseconds delay) {
  waiting_ = true;
  timer_.expires_after(delay);
  timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code&) {
        // Expired or cancelled (by PluginRestarted or Cancel): either way,
        // Attempt decides.
        self->OnWaitOver();
      });
}

void RunningStream::OnWaitOver() {
  std::string why;
  if (GuardCallback(
          "RunStream retry", [this] { Attempt(); }, &why))
    return;
  absl::MutexLock lock(&mu_);
  waiting_ = false;
  if (cancelled_) return;
  log::Warn("RunStream could not be run again; retrying",
            {{"channel", wire_channel_}, {"error", why}});
  WaitLocked(backoff_.NextDelay(std::chrono::milliseconds(0)));
}

bool RunningStream::OnPacket(const std::string& data) {
  if (!nlohmann::json::accept(data)) {
    counters_->invalid_packets.fetch_add(1);
    log::Warn("plugin sent a packet that is not JSON; restarting the stream",
              {{"channel", wire_channel_}, {"plugin", plugin_->id()}});
    absl::MutexLock lock(&mu_);
    invalid_packet_ = true;
    return false;
  }
  counters_->packets.fetch_add(1);
  publish_(wire_channel_, data);
  return true;
}

void RunningStream::OnCallDone(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) {
      call_.reset();
      return;
    }
    if (!status.ok() || invalid_packet_) {
      if (!invalid_packet_) {
        log::Warn("RunStream ended with an error; restarting",
                  {{"channel", wire_channel_},
                   {"plugin", plugin_->id()},
                   {"code", std::to_string(status.error_code())},
                   {"error", status.error_message()}});
      }
      auto delay = backoff_.NextDelay(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                run_started_));
      if (restart_signal_) {  // a new plugin process: go now
        backoff_.Reset();
        delay = std::chrono::milliseconds(0);
      }
      call_.reset();
      WaitLocked(delay);
      return;
    }
  }
  log::Info("stream finished without error, stopping it",
            {{"channel", wire_channel_}, {"plugin", plugin_->id()}});
  finished_.store(true);
  on_ended_(this);
  // Only now: WaitStopped covers on_ended_, which reaches into the manager.
  absl::MutexLock lock(&mu_);
  call_.reset();
}

void RunningStream::Cancel() {
  std::shared_ptr<RunStreamCall> call;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    call = call_;
    if (waiting_) timer_.cancel();
  }
  // Outside mu_: a cancelled call may end on this thread.
  if (call) call->Cancel();
}

void RunningStream::PluginRestarted() {
  absl::MutexLock lock(&mu_);
  restart_signal_ = true;
  if (waiting_) {
    backoff_.Reset();
    timer_.cancel();
  }
}

void RunningStream::WaitStopped() {
  absl::MutexLock lock(&mu_, absl::Condition(this, &RunningStream::IdleLocked));
}

bool RunningStream::stopped() const {
  absl::MutexLock lock(&mu_);
  return IdleLocked();
}

}  // namespace runnel::host
