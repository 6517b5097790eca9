#include "plugin/supervisor.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "grpc_controller.grpc.pb.h"
#include "plugin/plugin_dial.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds RestartDelay(const SupervisorOptions& options, int deaths) {
  milliseconds delay = options.restart_delay_initial;
  for (int i = 1; i < deaths && delay < options.restart_delay_max; ++i) {
    delay *= 2;
  }
  return std::min(delay, options.restart_delay_max);
}

absl::Duration ToAbsl(milliseconds d) { return absl::Milliseconds(d.count()); }

}  // namespace

std::string_view PluginStateName(PluginState state) {
  switch (state) {
    case PluginState::kStarting:
      return "starting";
    case PluginState::kRunning:
      return "running";
    case PluginState::kRestarting:
      return "restarting";
    case PluginState::kFailed:
      return "failed";
    case PluginState::kStopped:
      return "stopped";
  }
  return "unknown";
}

Supervisor::Supervisor(PluginManifest manifest, SupervisorOptions options)
    : manifest_(std::move(manifest)), options_(std::move(options)) {
  options_.process.plugin_id = manifest_.id;
  options_.process.executable_path = manifest_.executable_path;
  if (options_.process.working_dir.empty()) {
    options_.process.working_dir = manifest_.dir;
  }
}

Supervisor::~Supervisor() { Stop(); }

void Supervisor::Start() {
  absl::MutexLock stop_lock(&stop_mu_);
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  state_ = PluginState::kStarting;
  thread_ = std::thread([this] { Run(); });
  thread_id_ = thread_.get_id();
}

Status Supervisor::WaitUntilRunning(milliseconds timeout) const {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return state_ == PluginState::kRunning || starts_cancelled_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&done), ToAbsl(timeout));
  if (state_ == PluginState::kRunning) return Status::Ok();
  if (starts_cancelled_) {
    return Status::Cancelled("plugin " + manifest_.id + " stopped");
  }
  return Status::Unavailable("plugin " + manifest_.id + " is " +
                             std::string(PluginStateName(state_)) +
                             (last_error_.empty() ? "" : ": " + last_error_));
}

void Supervisor::CancelStarts() {
  {
    absl::MutexLock lock(&mu_);
    starts_cancelled_ = true;
  }
  start_cancel_.Cancel();
}

void Supervisor::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    // Also when never started: a Start() that comes after (say from another
    // thread that lost the race for stop_mu_) must not start the plugin.
    started_ = true;
    stopping_ = true;
  }
  CancelStarts();
  if (thread_.joinable()) thread_.join();
}

PluginState Supervisor::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

int64_t Supervisor::restarts() const {
  absl::MutexLock lock(&mu_);
  return restarts_;
}

std::string Supervisor::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

pid_t Supervisor::pid() const {
  absl::MutexLock lock(&mu_);
  return pid_;
}

PluginConnection Supervisor::connection() const {
  absl::MutexLock lock(&mu_);
  return connection_;
}

int Supervisor::AddListener(Listener listener) {
  absl::MutexLock lock(&mu_);
  int handle = next_listener_++;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void Supervisor::RemoveListener(int handle) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(handle);
  // A copy may be running on the supervisor thread: wait it out, so the
  // caller may destroy what the listener uses once this returns.
  if (std::this_thread::get_id() != thread_id_) {
    auto idle = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !notifying_; };
    mu_.Await(absl::Condition(&idle));
  }
}

bool Supervisor::StartsCancelled() const {
  absl::MutexLock lock(&mu_);
  return starts_cancelled_;
}

Status Supervisor::StartOnce(std::unique_ptr<PluginProcess>* process,
                             std::shared_ptr<grpc::Channel>* channel) {
  PluginProcessOptions process_options = options_.process;
  process_options.on_exit = [this](int) {
    absl::MutexLock lock(&mu_);
    process_exited_ = true;
  };
  {
    absl::MutexLock lock(&mu_);
    process_exited_ = false;
  }
  Status s =
      PluginProcess::Start(std::move(process_options), process, &start_cancel_);
  if (!s.ok()) return s;
  s = DialPlugin((*process)->handshake(), options_.connect_timeout,
                 &start_cancel_, channel);
  if (!s.ok()) process->reset();  // kills and reaps
  return s;
}

milliseconds Supervisor::OnStartFailed(const Status& why, int deaths) {
  const milliseconds delay = RestartDelay(options_, deaths);
  log::Error("plugin failed to start",
             {{"plugin", manifest_.id},
              {"error", why.message()},
              {"retry_in_ms", std::to_string(delay.count())}});
  absl::MutexLock lock(&mu_);
  last_error_ = why.message();
  state_ = PluginState::kFailed;
  return delay;
}

void Supervisor::Publish(const PluginProcess& process,
                         const std::shared_ptr<grpc::Channel>& channel) {
  std::vector<Listener> listeners;
  PluginConnection connection;
  {
    absl::MutexLock lock(&mu_);
    connection_.generation += 1;
    connection_.channel = channel;
    connection = connection_;
    pid_ = process.pid();
    for (const auto& [handle, listener] : listeners_) {
      listeners.push_back(listener);
    }
    notifying_ = true;
  }
  log::Info("plugin running",
            {{"plugin", manifest_.id},
             {"pid", std::to_string(process.pid())},
             {"address", process.handshake().address},
             {"generation", std::to_string(connection.generation)}});
  // Listeners first, so that WaitUntilRunning() returning means they have
  // all heard of this generation.
  for (const Listener& listener : listeners) listener(connection);
  absl::MutexLock lock(&mu_);
  notifying_ = false;
  state_ = PluginState::kRunning;
}

bool Supervisor::WaitForExitOrStop() {
  absl::MutexLock lock(&mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || process_exited_;
  };
  mu_.Await(absl::Condition(&woken));
  connection_.channel = nullptr;
  pid_ = -1;
  if (!stopping_) state_ = PluginState::kRestarting;
  return stopping_;
}

milliseconds Supervisor::OnExited(const PluginProcess& process, int deaths) {
  process.WaitForExit(milliseconds::max());  // on_exit ran just before
  const std::string why = DescribeWaitStatus(process.wait_status());
  const milliseconds delay = RestartDelay(options_, deaths);
  log::Warn("plugin exited; restarting",
            {{"plugin", manifest_.id},
             {"status", why},
             {"restart_in_ms", std::to_string(delay.count())}});
  absl::MutexLock lock(&mu_);
  last_error_ = "plugin " + why;
  return delay;
}

std::string Supervisor::ShutdownProcess(
    PluginProcess* process, const std::shared_ptr<grpc::Channel>& channel) {
  const auto deadline =
      std::chrono::system_clock::now() + options_.shutdown_grace;
  if (!process->Exited() && channel) {
    auto stub = plugin::GRPCController::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(deadline);
    plugin::Empty request, reply;
    grpc::Status s = stub->Shutdown(&context, request, &reply);
    if (!s.ok()) {
      log::Debug("Shutdown RPC failed",
                 {{"plugin", manifest_.id}, {"error", s.error_message()}});
    }
  }
  auto left = std::chrono::duration_cast<milliseconds>(
      deadline - std::chrono::system_clock::now());
  if (!process->WaitForExit(std::max(left, milliseconds(0)))) {
    log::Warn("plugin did not exit within the grace period; killing it",
              {{"plugin", manifest_.id}});
    process->Kill();
  }
  return DescribeWaitStatus(process->wait_status());
}

bool Supervisor::WaitBeforeRestart(milliseconds delay) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&starts_cancelled_), ToAbsl(delay));
  return !starts_cancelled_;
}

void Supervisor::Run() {
  int deaths = 0;  // in a row, without a stable run between
  std::string how = "never started";
  for (bool first = true; !StartsCancelled(); first = false) {
    if (!first) CountRestart();
    std::optional<milliseconds> delay = RunGeneration(&deaths, &how);
    if (!delay || !WaitBeforeRestart(*delay)) break;
  }
  MarkStopped();
  log::Info("plugin stopped", {{"plugin", manifest_.id}, {"status", how}});
}

std::optional<milliseconds> Supervisor::RunGeneration(int* deaths,
                                                      std::string* how) {
  std::unique_ptr<PluginProcess> process;
  std::shared_ptr<grpc::Channel> channel;
  Status s = StartOnce(&process, &channel);
  if (s.code() == StatusCode::kCancelled) {
    *how = s.message();
    return std::nullopt;
  }
  if (!s.ok()) {
    *how = "not running: " + s.message();
    return OnStartFailed(s, ++*deaths);
  }
  const auto started_at = Clock::now();
  Publish(*process, channel);
  if (WaitForExitOrStop()) {
    *how = ShutdownProcess(process.get(), channel);
    return std::nullopt;
  }
  if (Clock::now() - started_at >= options_.stable_after) *deaths = 0;
  const milliseconds delay = OnExited(*process, ++*deaths);
  *how = "plugin " + DescribeWaitStatus(process->wait_status());
  return delay;  // `process` is reaped (its reader threads joined) on return
}

void Supervisor::CountRestart() {
  absl::MutexLock lock(&mu_);
  ++restarts_;
}

void Supervisor::MarkStopped() {
  absl::MutexLock lock(&mu_);
  state_ = PluginState::kStopped;
  connection_.channel = nullptr;
  pid_ = -1;
}

}  // namespace runnel::host
