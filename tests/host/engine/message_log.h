// MessageLog: what a RedisSubscriber delivered (channel, payload), in
// order, for a test thread to wait on.
// Thread-safety: every method from any thread.
#ifndef RUNNEL_TESTS_HOST_ENGINE_MESSAGE_LOG_H_
#define RUNNEL_TESTS_HOST_ENGINE_MESSAGE_LOG_H_

#include <absl/synchronization/mutex.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "engine/redis_subscriber.h"
#include "support/wait_until.h"

namespace runnel::host {

class MessageLog {
 public:
  using Message = std::pair<std::string, std::string>;

  RedisSubscriber::MessageCallback Callback() {
    return [this](const std::string& channel, const std::string& payload) {
      absl::MutexLock lock(&mutex_);
      messages_.emplace_back(channel, payload);
    };
  }
  std::vector<Message> messages() const {
    absl::MutexLock lock(&mutex_);
    return messages_;
  }
  bool WaitFor(size_t count) const {
    return runnel::testing::WaitUntil(
        [&] { return messages().size() >= count; }, std::chrono::seconds(10),
        std::chrono::milliseconds(2));
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<Message> messages_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_ENGINE_MESSAGE_LOG_H_
