#include "plugin/supervisor.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "grpc_controller.grpc.pb.h"
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
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  state_ = PluginState::kStarting;
  thread_ = std::thread([this] { Run(); });
}

Status Supervisor::WaitUntilRunning(milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout,
               [this] { return state_ == PluginState::kRunning || stopping_; });
  if (state_ == PluginState::kRunning) return Status::Ok();
  if (stopping_)
    return Status::Cancelled("plugin " + manifest_.id + " stopped");
  return Status::Unavailable("plugin " + manifest_.id + " is " +
                             std::string(PluginStateName(state_)) +
                             (last_error_.empty() ? "" : ": " + last_error_));
}

void Supervisor::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PluginState Supervisor::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

int64_t Supervisor::restarts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return restarts_;
}

std::string Supervisor::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

pid_t Supervisor::pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_;
}

PluginConnection Supervisor::connection() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connection_;
}

int Supervisor::AddListener(Listener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  int handle = next_listener_++;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void Supervisor::RemoveListener(int handle) {
  std::unique_lock<std::mutex> lock(mu_);
  listeners_.erase(handle);
  // A copy may be running on the supervisor thread: wait it out, so the
  // caller may destroy what the listener uses once this returns.
  if (std::this_thread::get_id() != thread_.get_id()) {
    cv_.wait(lock, [this] { return !notifying_; });
  }
}

void Supervisor::SetState(PluginState state) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = state;
  }
  cv_.notify_all();
}

Status Supervisor::StartOnce(std::unique_ptr<PluginProcess>* process,
                             std::shared_ptr<grpc::Channel>* channel) {
  PluginProcessOptions process_options = options_.process;
  process_options.on_exit = [this](int) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      process_exited_ = true;
    }
    cv_.notify_all();
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    process_exited_ = false;
  }
  Status s = PluginProcess::Start(std::move(process_options), process);
  if (!s.ok()) return s;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(INT_MAX);
  args.SetMaxSendMessageSize(INT_MAX);
  // A fresh connection per generation, never one shared with an old process.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  const std::string target = GrpcTarget((*process)->handshake());
  auto created = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  if (!created->WaitForConnected(std::chrono::system_clock::now() +
                                 options_.connect_timeout)) {
    process->reset();  // kills and reaps
    return Status::Unavailable("cannot connect to the plugin at " + target);
  }
  *channel = std::move(created);
  return Status::Ok();
}

void Supervisor::ShutdownProcess(
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
  log::Info("plugin stopped",
            {{"plugin", manifest_.id},
             {"status", DescribeWaitStatus(process->wait_status())}});
}

void Supervisor::Run() {
  int deaths = 0;  // in a row, without a stable run between
  bool first = true;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      if (!first) ++restarts_;
    }
    first = false;
    std::unique_ptr<PluginProcess> process;
    std::shared_ptr<grpc::Channel> channel;
    Status s = StartOnce(&process, &channel);
    milliseconds delay{0};
    if (!s.ok()) {
      ++deaths;
      delay = RestartDelay(options_, deaths);
      log::Error("plugin failed to start",
                 {{"plugin", manifest_.id},
                  {"error", s.message()},
                  {"retry_in_ms", std::to_string(delay.count())}});
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = s.message();
        state_ = PluginState::kFailed;
      }
      cv_.notify_all();
    } else {
      const auto started_at = Clock::now();
      std::vector<Listener> listeners;
      PluginConnection connection;
      {
        std::lock_guard<std::mutex> lock(mu_);
        connection_.generation += 1;
        connection_.channel = channel;
        connection = connection_;
        pid_ = process->pid();
        for (const auto& [handle, listener] : listeners_) {
          listeners.push_back(listener);
        }
        notifying_ = true;
      }
      log::Info("plugin running",
                {{"plugin", manifest_.id},
                 {"pid", std::to_string(process->pid())},
                 {"address", process->handshake().address},
                 {"generation", std::to_string(connection.generation)}});
      // Listeners first, so that WaitUntilRunning() returning means they
      // have all heard of this generation.
      for (const Listener& listener : listeners) listener(connection);
      listeners.clear();
      {
        std::lock_guard<std::mutex> lock(mu_);
        notifying_ = false;
      }
      SetState(PluginState::kRunning);

      bool stopping;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || process_exited_; });
        stopping = stopping_;
        connection_.channel = nullptr;
        pid_ = -1;
        if (!stopping) state_ = PluginState::kRestarting;
      }
      if (stopping) {
        ShutdownProcess(process.get(), channel);
        break;
      }
      process->WaitForExit(milliseconds::max());  // on_exit ran just before
      const std::string why = DescribeWaitStatus(process->wait_status());
      if (Clock::now() - started_at >= options_.stable_after) deaths = 0;
      ++deaths;
      delay = RestartDelay(options_, deaths);
      log::Warn("plugin exited; restarting",
                {{"plugin", manifest_.id},
                 {"status", why},
                 {"restart_in_ms", std::to_string(delay.count())}});
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = "plugin " + why;
      }
      cv_.notify_all();
    }
    process.reset();  // reaps and joins its reader threads
    channel.reset();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, delay, [this] { return stopping_; });
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = PluginState::kStopped;
    connection_.channel = nullptr;
    pid_ = -1;
  }
  cv_.notify_all();
}

}  // namespace runnel::host
