#include "query/plugin_calls.h"

#include <utility>
#include <vector>

namespace runnel::host {

int HttpStatusForRpc(const grpc::Status& rpc) {
  switch (rpc.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    default:
      return 500;
  }
}

PluginCalls::PluginCalls(PluginCallOptions options)
    : options_(std::move(options)),
      workers_(std::make_unique<WorkerPool>(options_.worker_threads)) {}

PluginCalls::~PluginCalls() { Shutdown(); }

void PluginCalls::WhenRunning(Supervisor* plugin,
                              std::function<void(PluginConnection)> then) {
  PluginConnection connection = plugin->connection();
  if (connection.channel) return then(std::move(connection));
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_ && workers_->Submit([this, plugin, then] {
          (void)plugin->WaitUntilRunning(options_.unavailable_wait);
          then(plugin->connection());
        })) {
      return;
    }
  }
  then(PluginConnection{});
}

std::shared_ptr<grpc::ClientContext> PluginCalls::Begin() {
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        options_.rpc_timeout);
  absl::MutexLock lock(&mu_);
  if (shut_down_) return nullptr;
  in_flight_.insert(context);
  return context;
}

void PluginCalls::End(const std::shared_ptr<grpc::ClientContext>& context) {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(context);
}

void PluginCalls::Shutdown() {
  std::vector<std::shared_ptr<grpc::ClientContext>> cancel;
  std::unique_ptr<WorkerPool> workers;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    cancel.assign(in_flight_.begin(), in_flight_.end());
    workers = std::move(workers_);
  }
  // Unlocked: a cancelled RPC's completion may run inline and call End.
  for (const auto& context : cancel) context->TryCancel();
  workers.reset();  // queued waits run now and see shut_down_
  absl::MutexLock lock(
      &mu_, absl::Condition(this, &PluginCalls::NothingInFlightLocked));
}

}  // namespace runnel::host
