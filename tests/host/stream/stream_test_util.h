// Test helpers for the stream manager: a fake hub that records
// publications, waiting, and synchronous Subscribe/Publish. Thread-safe
// where noted.
#ifndef RUNNEL_TESTS_HOST_STREAM_STREAM_TEST_UTIL_H_
#define RUNNEL_TESTS_HOST_STREAM_STREAM_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "stream/stream_manager.h"

namespace runnel::host {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

inline bool WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

// Records what the manager publishes; subscriber counts are set by tests.
// Thread-safe.
class FakeHub {
 public:
  StreamManager::PublishFn Publish() {
    return [this](const std::string& channel, std::string_view data) {
      std::lock_guard<std::mutex> lock(mu_);
      auto& p = publications_[channel];
      p.count += 1;
      p.last = std::string(data);
      if (!nlohmann::json::accept(data)) p.invalid += 1;
    };
  }
  StreamManager::NumSubscribersFn NumSubscribers() {
    return [this](const std::string& channel) -> size_t {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = subscribers_.find(channel);
      return it == subscribers_.end() ? 0 : it->second;
    };
  }
  void SetSubscribers(const std::string& channel, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    subscribers_[channel] = n;
  }
  size_t Count(const std::string& channel) {
    std::lock_guard<std::mutex> lock(mu_);
    return publications_[channel].count;
  }
  size_t Invalid(const std::string& channel) {
    std::lock_guard<std::mutex> lock(mu_);
    return publications_[channel].invalid;
  }
  std::string Last(const std::string& channel) {
    std::lock_guard<std::mutex> lock(mu_);
    return publications_[channel].last;
  }

 private:
  struct Publications {
    size_t count = 0;
    size_t invalid = 0;
    std::string last;
  };
  std::mutex mu_;  // guards publications_ and subscribers_
  std::map<std::string, Publications> publications_;
  std::map<std::string, size_t> subscribers_;
};

inline SubscribeReply SubscribeAndWait(StreamManager* manager,
                                       const std::string& wire,
                                       const std::string& data = "") {
  int64_t org = 0;
  std::string error;
  std::optional<LiveChannel> channel = ParseOrgChannel(wire, &org, &error);
  EXPECT_TRUE(channel.has_value()) << error;
  if (!channel) return SubscribeReply{-1, error, ""};
  auto promise = std::make_shared<std::promise<SubscribeReply>>();
  auto future = promise->get_future();
  manager->OnSubscribe(
      ClientIdentity{}, wire, *channel, data,
      [promise](SubscribeReply r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    ADD_FAILURE() << "no subscribe reply for " << wire;
    return SubscribeReply{-1, "timeout", ""};
  }
  return future.get();
}

inline PublishReply PublishAndWait(StreamManager* manager,
                                   const std::string& wire,
                                   const std::string& data) {
  int64_t org = 0;
  std::optional<LiveChannel> channel = ParseOrgChannel(wire, &org);
  EXPECT_TRUE(channel.has_value());
  if (!channel) return PublishReply{-1, "invalid channel", ""};
  auto promise = std::make_shared<std::promise<PublishReply>>();
  auto future = promise->get_future();
  manager->OnPublish(
      ClientIdentity{}, wire, *channel, data,
      [promise](PublishReply r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    ADD_FAILURE() << "no publish reply for " << wire;
    return PublishReply{-1, "timeout", ""};
  }
  return future.get();
}

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_STREAM_STREAM_TEST_UTIL_H_
