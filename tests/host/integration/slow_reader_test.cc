// A client that never reads is closed with 3008 once its queue passes
// client_queue_max_size, while another client on the channel keeps receiving
// every publication.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

TEST(SlowReaderTest, SlowClientGets3008AndOthersKeepEverything) {
  HostProcess host(
      "[live]\n"
      "client_queue_max_size = 262144\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  const uint16_t port = host.port();
  const std::string channel = "1/plugin/testdata/bench/2000hz";

  double published_before =
      MetricValue(Metrics(port), "runnel_live_publications_in_total");
  ASSERT_EQ(published_before, 0);  // no stream yet in this host

  WsClient fast;
  ASSERT_TRUE(fast.Open(port));
  ASSERT_TRUE(fast.Connect().contains("connect"));
  ASSERT_TRUE(fast.Subscribe(channel).contains("subscribe"));

  WsClient slow;
  WsClient::Options options;
  options.receive_buffer = 4096;
  ASSERT_TRUE(slow.Open(port, options)) << slow.error();
  ASSERT_TRUE(slow.Connect().contains("connect"));
  ASSERT_TRUE(slow.Subscribe(channel).contains("subscribe"));
  // From here on `slow` reads nothing.

  // `fast` reads on its own thread so the /metrics polling here never
  // delays it.
  std::atomic<bool> stop_reading{false};
  int received = 0;
  std::thread reader([&] {
    while (!stop_reading && !fast.closed()) {
      received += fast.CountPublications(channel, Millis(100));
    }
  });
  bool cut = WaitUntil(
      [&] {
        return MetricValue(Metrics(port),
                           "runnel_live_slow_disconnects_total") >= 1;
      },
      Millis(30000));
  std::this_thread::sleep_for(Millis(1000));  // `fast` goes on after the cut
  stop_reading = true;
  reader.join();
  ASSERT_TRUE(cut) << "the slow client was not cut; fast got " << received;
  EXPECT_FALSE(fast.closed()) << "fast closed with " << fast.close_code();

  // Every publication made while `fast` was subscribed reaches it. The
  // count is read just before the unsubscribe: those publications are
  // queued on fast's loop ahead of the unsubscribe command, so they all
  // arrive before its reply (a few in flight in the plugin's stream, hence
  // the small slack). Read after it, the count also holds what the 2 kHz
  // stream published meanwhile, which fast rightly never gets.
  const double published_while_subscribed =
      MetricValue(Metrics(port), "runnel_live_publications_in_total");
  JSON reply = fast.Call("unsubscribe", JSON{{"channel", channel}});
  ASSERT_TRUE(reply.contains("unsubscribe")) << reply.dump();
  received += fast.CountPublications(channel, Millis(0));
  const double published =
      MetricValue(Metrics(port), "runnel_live_publications_in_total");
  std::cout << "fast got " << received << " of " << published_while_subscribed
            << " publications made while it was subscribed (" << published
            << " in all)\n";
  EXPECT_LE(received, published);
  EXPECT_GE(received, published_while_subscribed - 20)
      << "fast missed " << (published_while_subscribed - received) << " of "
      << published_while_subscribed;
  EXPECT_GT(received, 1000);

  // The slow client finds its close code after what was already sent.
  EXPECT_EQ(slow.WaitClosed(Millis(20000)), 3008);
}

}  // namespace
}  // namespace runnel::host::testing
