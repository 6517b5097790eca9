// TokenBucket and StartLimiter as plain values: time is passed in.
#include "stream/stream_limits.h"

#include <gtest/gtest.h>

#include "stream/token_bucket.h"

namespace runnel::host {
namespace {

using std::chrono::milliseconds;
const TokenBucket::TimePoint kT0{};

TEST(TokenBucket, BurstThenRate) {
  TokenBucket bucket(10, 3, kT0);
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0 + milliseconds(50)));  // half a token
  EXPECT_TRUE(bucket.TryTake(kT0 + milliseconds(100)));
  EXPECT_FALSE(bucket.TryTake(kT0 + milliseconds(100)));
  EXPECT_FALSE(bucket.Full(kT0 + milliseconds(200)));
  EXPECT_TRUE(bucket.Full(kT0 + milliseconds(400)));
  // Never more than the burst, however long it waited.
  TokenBucket idle(10, 2, kT0);
  const auto later = kT0 + std::chrono::hours(1);
  EXPECT_TRUE(idle.TryTake(later));
  EXPECT_TRUE(idle.TryTake(later));
  EXPECT_FALSE(idle.TryTake(later));
}

TEST(TokenBucket, ClockGoingBackwardsAddsNothing) {
  TokenBucket bucket(10, 1, kT0 + milliseconds(1000));
  EXPECT_TRUE(bucket.TryTake(kT0 + milliseconds(1000)));
  EXPECT_FALSE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0 + milliseconds(1050)));
  EXPECT_TRUE(bucket.TryTake(kT0 + milliseconds(1100)));
}

TEST(StartLimiter, RateIsPerClient) {
  StartLimiter limiter(StreamLimits{.starts_per_second = 1, .starts_burst = 2});
  EXPECT_EQ(limiter.TakeStartToken("a", kT0), StartRefusal::kNone);
  EXPECT_EQ(limiter.TakeStartToken("a", kT0), StartRefusal::kNone);
  EXPECT_EQ(limiter.TakeStartToken("a", kT0), StartRefusal::kRate);
  EXPECT_EQ(limiter.TakeStartToken("b", kT0), StartRefusal::kNone);
  EXPECT_EQ(limiter.TakeStartToken("a", kT0 + milliseconds(1000)),
            StartRefusal::kNone);
}

TEST(StartLimiter, IdleClientsAreForgotten) {
  StartLimiter limiter(StreamLimits{.starts_per_second = 1, .starts_burst = 2});
  limiter.TakeStartToken("a", kT0);
  limiter.TakeStartToken("b", kT0);
  limiter.TakeStartToken("b", kT0);
  EXPECT_EQ(limiter.tracked_clients(), 2u);
  limiter.ForgetIdleClients(kT0 + milliseconds(1000));  // a is full again
  EXPECT_EQ(limiter.tracked_clients(), 1u);
  limiter.ForgetIdleClients(kT0 + milliseconds(2000));
  EXPECT_EQ(limiter.tracked_clients(), 0u);
}

TEST(StartLimiter, CountsPerPluginAndTotal) {
  StartLimiter limiter(StreamLimits{.max_per_plugin = 2, .max_total = 3});
  EXPECT_EQ(limiter.CheckCounts("p"), StartRefusal::kNone);
  limiter.Started("p");
  limiter.Started("p");
  EXPECT_EQ(limiter.CheckCounts("p"), StartRefusal::kPluginLimit);
  EXPECT_EQ(limiter.CheckCounts("q"), StartRefusal::kNone);
  limiter.Started("q");
  EXPECT_EQ(limiter.CheckCounts("q"), StartRefusal::kHostLimit);
  limiter.Stopped("p");
  EXPECT_EQ(limiter.CheckCounts("p"), StartRefusal::kNone);
  EXPECT_EQ(limiter.total(), 2u);
  limiter.Stopped("nobody");  // unknown: no change
  EXPECT_EQ(limiter.total(), 2u);
}

TEST(StartLimiter, ZeroMeansNoLimit) {
  StartLimiter limiter(StreamLimits{
      .starts_per_second = 0, .max_per_plugin = 0, .max_total = 0});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(limiter.TakeStartToken("a", kT0), StartRefusal::kNone);
    limiter.Started("p");
  }
  EXPECT_EQ(limiter.CheckCounts("p"), StartRefusal::kNone);
}

}  // namespace
}  // namespace runnel::host
