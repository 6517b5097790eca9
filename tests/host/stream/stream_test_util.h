// Test helpers for the stream manager: a fake hub that records
// publications, synchronous Subscribe/Publish, and a fixture that runs a
// manager over the fake plugin. Thread-safe where noted.
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
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace runnel::host {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

using ::runnel::testing::WaitUntil;

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
                                       const std::string& data = "",
                                       const std::string& client_id = "") {
  int64_t org = 0;
  std::string error;
  std::optional<LiveChannel> channel = ParseOrgChannel(wire, &org, &error);
  EXPECT_TRUE(channel.has_value()) << error;
  if (!channel) return SubscribeReply{-1, error, ""};
  auto promise = std::make_shared<std::promise<SubscribeReply>>();
  auto future = promise->get_future();
  ClientIdentity who;
  who.client_id = client_id;
  manager->OnSubscribe(who, wire, *channel, data, [promise](SubscribeReply r) {
    promise->set_value(std::move(r));
  });
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

// Shutdown must finish; a hang fails the test instead of the run.
inline bool ShutsDownWithin(StreamManager* manager, milliseconds timeout) {
  auto done =
      std::async(std::launch::async, [manager] { manager->Shutdown(); });
  return done.wait_for(timeout) == std::future_status::ready;
}

#ifdef FAKE_PLUGIN_PATH
// The fake plugin (tests/host/plugin/fake_plugin.cc) registered as
// "fake-datasource" (alias "fake") and running; a test sets options_ (a
// 500 ms grace period, checked every 100 ms, unless it says otherwise),
// then calls MakeManager(). TearDown expects the manager's Shutdown to
// finish.
class FakePluginStreamTest : public ::testing::Test {
 protected:
  static constexpr milliseconds kShutdownWait{20000};

  void SetUp() override {
    PluginManifest m;
    m.id = "fake-datasource";
    m.alias_ids = {"fake"};
    m.executable_path = FAKE_PLUGIN_PATH;
    m.dir = plugin_dir_.path();
    ASSERT_TRUE(registry_.Add(std::make_unique<Supervisor>(m)).ok());
    registry_.StartAll();
    Status s = registry_.Find("fake")->WaitUntilRunning(milliseconds(10000));
    ASSERT_TRUE(s.ok()) << s.message();
    options_.grace_period = milliseconds(500);
    options_.check_interval = milliseconds(100);
  }
  void TearDown() override {
    if (manager_) {
      EXPECT_TRUE(ShutsDownWithin(manager_.get(), kShutdownWait));
    }
    registry_.StopAll();
  }
  void MakeManager(StreamManager::PublishFn publish = nullptr) {
    manager_ = std::make_unique<StreamManager>(
        &registry_, std::vector<DataSource>{},
        publish ? std::move(publish) : hub_.Publish(), hub_.NumSubscribers(),
        options_);
  }
  SubscribeReply Subscribe(const std::string& wire,
                           const std::string& client = "c1") {
    return SubscribeAndWait(manager_.get(), wire, "", client);
  }

  ::runnel::testing::TempDir plugin_dir_;  // outlives the plugin
  FakeHub hub_;
  PluginRegistry registry_;
  StreamManagerOptions options_;
  std::unique_ptr<StreamManager> manager_;
};
#endif  // FAKE_PLUGIN_PATH

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_STREAM_STREAM_TEST_UTIL_H_
