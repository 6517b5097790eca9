// StreamManager with several hosts: the RunStream of a channel runs on the
// host that holds the channel's lease (StreamLeases); the others keep an
// entry for their subscribers and get the frames through the engine. When
// the lease moves here (the holder died or left), a fresh stream starts;
// when it moves away, this host's stream is cancelled.
#include "runnel/log.h"
#include "stream/callback_guard.h"
#include "stream/stream_manager.h"

namespace runnel::host {

void StreamManager::WantLease(const std::string& wire_channel) {
  options_.leases.want(wire_channel, [this, wire_channel](bool held) {
    OnLeaseChange(wire_channel, held);
  });
}

void StreamManager::OnLeaseChange(const std::string& wire_channel, bool held) {
  std::shared_ptr<RunningStream> start;
  std::shared_ptr<RunningStream> stop;
  {
    absl::MutexLock lock(&mu_);
    auto it = streams_.find(wire_channel);
    if (shut_down_ || it == streams_.end()) return;
    StreamEntry& entry = it->second;
    if (entry.leased == held) return;
    entry.leased = held;
    if (!held) {
      stop = entry.stream;
      retired_.push_back(stop);
      std::string why;
      if (!GuardCallback(
              "RunStream create", [&] { entry.stream = entry.make_stream(); },
              &why)) {
        log::Error("stream entry dropped",
                   {{"channel", wire_channel}, {"error", why}});
        limiter_.Stopped(stop->plugin_id());
        streams_.erase(it);
      } else {
        entry.started = false;
      }
    } else {
      entry.started = true;
      start = entry.stream;
    }
  }
  if (stop) {
    log::Info("another host holds the channel's lease; RunStream stopped",
              {{"channel", wire_channel}});
    stop->Cancel();
  }
  if (start) StartLeased(wire_channel, std::move(start));
}

void StreamManager::StartLeased(const std::string& wire_channel,
                                std::shared_ptr<RunningStream> stream) {
  Status started = stream->Start();
  {
    absl::MutexLock lock(&mu_);
    if (started.ok()) {
      ++runstream_starts_;
      log::Info("RunStream started (lease held)",
                {{"channel", wire_channel}, {"plugin", stream->plugin_id()}});
      return;
    }
    ++start_failures_;
    log::Error("RunStream not started",
               {{"channel", wire_channel}, {"error", started.message()}});
    auto it = streams_.find(wire_channel);
    if (it == streams_.end() || it->second.stream != stream) return;
    EraseStreamLocked(it);
  }
  DropLeases({wire_channel});
}

void StreamManager::DropLeases(const std::vector<std::string>& wire_channels) {
  for (const std::string& channel : wire_channels) {
    options_.leases.drop(channel);
  }
}

size_t StreamManager::SubscribersFor(const std::string& wire_channel,
                                     bool leased) const {
  if (leased && options_.leases.cluster_subscribers) {
    return options_.leases.cluster_subscribers(wire_channel);
  }
  return num_subscribers_(wire_channel);
}

}  // namespace runnel::host
