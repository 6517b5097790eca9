#include "live/hub.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace runnel::host {
namespace {

class FakeSubscriber : public Subscriber {
 public:
  void Deliver(const SharedBuffer& message) override {
    std::lock_guard lock(mutex_);
    received_.push_back(message);
  }
  std::vector<SharedBuffer> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;  // guards received_
  std::vector<SharedBuffer> received_;
};

TEST(HubTest, PublishEncodesOnceForEverySubscriber) {
  Hub hub;
  FakeSubscriber a, b, c, other;
  const std::string channel = "1/ds/testdata/random-20Hz-stream";
  ASSERT_TRUE(hub.Subscribe(channel, &a));
  ASSERT_TRUE(hub.Subscribe(channel, &b));
  ASSERT_TRUE(hub.Subscribe(channel, &c));
  ASSERT_TRUE(hub.Subscribe("1/ds/other/x", &other));
  hub.Publish(channel, R"({"data":{"values":[[1],[2]]}})");

  ASSERT_EQ(a.received().size(), 1u);
  ASSERT_EQ(b.received().size(), 1u);
  ASSERT_EQ(c.received().size(), 1u);
  EXPECT_TRUE(other.received().empty());
  // The very same buffer, not copies.
  EXPECT_EQ(a.received()[0].get(), b.received()[0].get());
  EXPECT_EQ(a.received()[0].get(), c.received()[0].get());
  EXPECT_EQ(
      nlohmann::json::parse(*a.received()[0]),
      nlohmann::json::parse(
          R"({"push":{"channel":"1/ds/testdata/random-20Hz-stream","pub":{"data":{"data":{"values":[[1],[2]]}}}}})"));
  HubCounters counters = hub.Counters();
  EXPECT_EQ(counters.publications_in, 1u);
  EXPECT_EQ(counters.messages_out, 3u);
}

TEST(HubTest, CountsAndChannelsListing) {
  Hub hub;
  FakeSubscriber a, b;
  EXPECT_EQ(hub.NumSubscribers("1/x/y/z"), 0u);
  hub.Subscribe("1/b/c/d", &a);
  hub.Subscribe("1/b/c/d", &b);
  hub.Subscribe("1/a/c/d", &a);
  EXPECT_FALSE(hub.Subscribe("1/a/c/d", &a));  // already there
  EXPECT_EQ(hub.NumSubscribers("1/b/c/d"), 2u);
  EXPECT_EQ(hub.NumChannels(), 2u);
  EXPECT_EQ(hub.NumSubscriptions(), 3u);
  auto channels = hub.Channels();
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0].channel, "1/a/c/d");
  EXPECT_EQ(channels[0].subscribers, 1u);
  EXPECT_EQ(channels[1].channel, "1/b/c/d");
  EXPECT_EQ(channels[1].subscribers, 2u);

  EXPECT_TRUE(hub.Unsubscribe("1/b/c/d", &a));
  EXPECT_FALSE(hub.Unsubscribe("1/b/c/d", &a));
  EXPECT_TRUE(hub.Unsubscribe("1/b/c/d", &b));
  EXPECT_EQ(hub.NumSubscribers("1/b/c/d"), 0u);
  EXPECT_EQ(hub.NumChannels(), 1u);
  EXPECT_EQ(hub.NumSubscriptions(), 1u);
}

TEST(HubTest, PublishWithoutSubscribersIsCountedButGoesNowhere) {
  Hub hub;
  hub.Publish("1/ds/a/b", "{}");
  EXPECT_EQ(hub.Counters().publications_in, 1u);
  EXPECT_EQ(hub.Counters().messages_out, 0u);
}

TEST(HubTest, ConcurrentPublishAndSubscribe) {
  Hub hub;
  constexpr int kChannels = 8;
  constexpr int kPublishes = 2000;
  std::vector<FakeSubscriber> subscribers(kChannels);
  for (int i = 0; i < kChannels; ++i) {
    hub.Subscribe("1/ds/c/" + std::to_string(i), &subscribers[i]);
  }
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t) {
    publishers.emplace_back([&hub, t] {
      for (int i = 0; i < kPublishes; ++i) {
        hub.Publish("1/ds/c/" + std::to_string((i + t) % kChannels), "1");
      }
    });
  }
  FakeSubscriber churn;
  for (int i = 0; i < 1000; ++i) {
    hub.Subscribe("1/ds/c/0", &churn);
    hub.Unsubscribe("1/ds/c/0", &churn);
  }
  for (auto& p : publishers) p.join();
  size_t total = 0;
  for (auto& s : subscribers) total += s.received().size();
  EXPECT_EQ(total, 4u * kPublishes);
  EXPECT_EQ(hub.Counters().publications_in, 4u * kPublishes);
}

}  // namespace
}  // namespace runnel::host
