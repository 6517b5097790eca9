#include "live/hub.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
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

// A loop that runs its tasks only when the test says so.
class ManualLoop : public DeliveryLoop {
 public:
  void Post(std::function<void()> task) override {
    tasks.push_back(std::move(task));
  }
  void RunAll() {
    auto pending = std::move(tasks);
    tasks.clear();
    for (auto& task : pending) task();
  }
  std::vector<std::function<void()>> tasks;
};

class LoopSubscriber : public FakeSubscriber {
 public:
  explicit LoopSubscriber(DeliveryLoop* loop) : loop_(loop) {}
  DeliveryLoop* delivery_loop() const override { return loop_; }

 private:
  DeliveryLoop* loop_;
};

TEST(HubTest, EachLoopGetsAPublicationOnceAndDeliversOnItsOwnTurn) {
  Hub hub;
  ManualLoop loop_a, loop_b;
  std::vector<std::unique_ptr<LoopSubscriber>> on_a, on_b;
  const std::string channel = "1/plugin/testdata/bench/20hz";
  for (int i = 0; i < 50; ++i) {
    on_a.push_back(std::make_unique<LoopSubscriber>(&loop_a));
    on_b.push_back(std::make_unique<LoopSubscriber>(&loop_b));
    ASSERT_TRUE(hub.Subscribe(channel, on_a.back().get()));
    ASSERT_TRUE(hub.Subscribe(channel, on_b.back().get()));
  }
  FakeSubscriber inline_subscriber;  // no loop: delivered at once
  ASSERT_TRUE(hub.Subscribe(channel, &inline_subscriber));
  hub.Publish(channel, "1");
  hub.Publish(channel, "2");
  // Two publications: two tasks per loop, not one per subscriber.
  EXPECT_EQ(loop_a.tasks.size(), 2u);
  EXPECT_EQ(loop_b.tasks.size(), 2u);
  EXPECT_EQ(inline_subscriber.received().size(), 2u);
  EXPECT_TRUE(on_a[0]->received().empty());
  EXPECT_EQ(hub.Counters().messages_out, 2u * 101);

  // Leaving on the loop before its turn: the queued tasks skip it.
  ASSERT_TRUE(hub.Unsubscribe(channel, on_a[7].get()));
  loop_a.RunAll();
  for (size_t i = 0; i < on_a.size(); ++i) {
    const auto received = on_a[i]->received();
    if (i == 7) {
      EXPECT_TRUE(received.empty());
      continue;
    }
    ASSERT_EQ(received.size(), 2u);
    EXPECT_NE(received[0]->find("\"data\":1"), std::string::npos);  // order
    EXPECT_NE(received[1]->find("\"data\":2"), std::string::npos);
  }
  EXPECT_TRUE(on_b[0]->received().empty());
  loop_b.RunAll();
  EXPECT_EQ(on_b[49]->received().size(), 2u);
  // The same buffer on every loop.
  EXPECT_EQ(on_a[0]->received()[0].get(), on_b[0]->received()[0].get());

  // The last subscriber of a loop leaving ends its group; the other loop
  // still gets publications.
  for (auto& s : on_a) hub.Unsubscribe(channel, s.get());
  hub.Publish(channel, "3");
  EXPECT_TRUE(loop_a.tasks.empty());
  EXPECT_EQ(loop_b.tasks.size(), 1u);
  EXPECT_EQ(hub.NumSubscribers(channel), 51u);
}

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

// Records what the hub hands its link.
class RecordingLink : public HubLink {
 public:
  void Forward(const std::string& channel, std::string_view data) override {
    events.push_back("forward " + channel + " " + std::string(data));
  }
  void ChannelOccupied(const std::string& channel) override {
    events.push_back("occupied " + channel);
  }
  void ChannelVacated(const std::string& channel) override {
    events.push_back("vacated " + channel);
  }
  std::vector<std::string> events;
};

TEST(HubTest, ALinkGetsEveryPublicationMadeHereButNoneFromPeers) {
  Hub hub(200);
  RecordingLink link;
  hub.SetLink(&link);
  FakeSubscriber a;
  ASSERT_TRUE(hub.Subscribe("1/stream/s/cpu", &a));
  // Forwarded with or without local subscribers; delivered here first.
  ASSERT_TRUE(hub.Publish("1/stream/s/cpu", R"({"n":1})").ok());
  ASSERT_TRUE(hub.Publish("1/stream/s/mem", R"({"n":2})").ok());
  // From another host: delivered here, not sent back out.
  ASSERT_TRUE(hub.DeliverFromPeer("1/stream/s/cpu", R"({"n":3})").ok());
  // Over the limit: refused, and the other hosts do not get it either.
  EXPECT_FALSE(hub.Publish("1/stream/s/mem", std::string(300, ' ')).ok());
  EXPECT_EQ(link.events,
            (std::vector<std::string>{"occupied 1/stream/s/cpu",
                                      R"(forward 1/stream/s/cpu {"n":1})",
                                      R"(forward 1/stream/s/mem {"n":2})"}));
  EXPECT_EQ(a.received().size(), 2u);
}

TEST(HubTest, ALinkHearsOfAChannelsFirstAndLastSubscriberOnly) {
  Hub hub;
  RecordingLink link;
  hub.SetLink(&link);
  FakeSubscriber a, b;
  hub.Subscribe("1/grafana/broadcast/x", &a);
  hub.Subscribe("1/grafana/broadcast/x", &b);
  hub.Unsubscribe("1/grafana/broadcast/x", &a);
  hub.Unsubscribe("1/grafana/broadcast/x", &b);
  hub.Subscribe("1/grafana/broadcast/x", &a);
  EXPECT_EQ(link.events, (std::vector<std::string>{
                             "occupied 1/grafana/broadcast/x",
                             "vacated 1/grafana/broadcast/x",
                             "occupied 1/grafana/broadcast/x"}));
  hub.Unsubscribe("1/grafana/broadcast/x", &a);
}

}  // namespace
}  // namespace runnel::host
