// StreamManager against a fake plugin whose streams misbehave on purpose:
// clean end, immediate errors, non-JSON packets, odd Subscribe/Publish
// replies (tests/host/plugin/fake_plugin.cc).
#include <gtest/gtest.h>

#include "stream/stream_manager.h"
#include "stream_test_util.h"

namespace runnel::host {
namespace {

class StreamEdgeCasesTest : public FakePluginStreamTest {
 protected:
  void SetUp() override {
    FakePluginStreamTest::SetUp();
    if (HasFatalFailure()) return;
    MakeManager();
  }
};

TEST_F(StreamEdgeCasesTest, CleanEndRemovesTheStreamWithoutRestart) {
  const std::string wire = "1/plugin/fake/clean-end";
  hub_.SetSubscribers(wire, 1);
  SubscribeReply r = SubscribeAndWait(manager_.get(), wire);
  ASSERT_EQ(r.error_code, 0) << r.error_message;
  EXPECT_EQ(r.data, R"({"schema":{}})");
  ASSERT_TRUE(WaitUntil([&] { return manager_->Stats().channels.empty(); },
                        milliseconds(5000)));
  EXPECT_EQ(hub_.Count(wire), 2u);
  EXPECT_EQ(hub_.Last(wire), R"({"n":2})");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(hub_.Count(wire), 2u);
  EXPECT_EQ(manager_->Stats().runstream_restarts, 0u);
  // A later subscription starts a new one.
  ASSERT_EQ(SubscribeAndWait(manager_.get(), wire).error_code, 0);
  EXPECT_TRUE(
      WaitUntil([&] { return hub_.Count(wire) == 4u; }, milliseconds(5000)));
  EXPECT_EQ(manager_->Stats().runstream_starts, 2u);
}

TEST_F(StreamEdgeCasesTest, ErrorsRestartWithBackoffNotInATightLoop) {
  const std::string wire = "1/plugin/fake/error";
  hub_.SetSubscribers(wire, 1);
  ASSERT_EQ(SubscribeAndWait(manager_.get(), wire).error_code, 0);
  // Delays 0, 200, 400, 800 ms...: a few restarts, not thousands.
  EXPECT_TRUE(
      WaitUntil([&] { return manager_->Stats().runstream_restarts >= 3; },
                milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(1000));
  StreamStats stats = manager_->Stats();
  EXPECT_LT(stats.runstream_restarts, 20u);
  EXPECT_EQ(stats.channels.size(), 1u);  // still kept alive
  EXPECT_EQ(stats.runstream_starts, 1u);
}

TEST_F(StreamEdgeCasesTest, NonJSONPacketIsDroppedAndRestartsTheStream) {
  const std::string wire = "1/plugin/fake/invalid";
  hub_.SetSubscribers(wire, 1);
  ASSERT_EQ(SubscribeAndWait(manager_.get(), wire).error_code, 0);
  EXPECT_TRUE(WaitUntil(
      [&] {
        StreamStats s = manager_->Stats();
        return s.invalid_packets >= 2 && s.runstream_restarts >= 1;
      },
      milliseconds(10000)));
  EXPECT_EQ(hub_.Count(wire), 0u);  // nothing invalid reached the hub
}

TEST_F(StreamEdgeCasesTest, SubscribeStatusMapping) {
  SubscribeReply denied =
      SubscribeAndWait(manager_.get(), "1/plugin/fake/denied");
  EXPECT_EQ(denied.error_code, 403);
  EXPECT_EQ(denied.error_message, "Forbidden");
  EXPECT_EQ(
      SubscribeAndWait(manager_.get(), "1/plugin/fake/missing").error_code,
      404);
  EXPECT_EQ(
      SubscribeAndWait(manager_.get(), "1/plugin/fake/bad-initial").error_code,
      500);
  EXPECT_TRUE(manager_->Stats().channels.empty());
}

TEST_F(StreamEdgeCasesTest, PublishReplies) {
  PublishReply echo =
      PublishAndWait(manager_.get(), "1/plugin/fake/echo", R"({"a":1})");
  EXPECT_EQ(echo.error_code, 0);
  EXPECT_EQ(echo.data, R"({"a":1})");
  PublishReply silent =
      PublishAndWait(manager_.get(), "1/plugin/fake/silent", R"({"a":1})");
  EXPECT_EQ(silent.error_code, 0);
  EXPECT_EQ(silent.data, "");
  EXPECT_EQ(
      PublishAndWait(manager_.get(), "1/plugin/fake/other", "{}").error_code,
      403);
}

TEST_F(StreamEdgeCasesTest, StoppedPluginGives500) {
  registry_.StopAll();
  SubscribeReply r = SubscribeAndWait(manager_.get(), "1/plugin/fake/ticks");
  EXPECT_EQ(r.error_code, 500);
}

}  // namespace
}  // namespace runnel::host
