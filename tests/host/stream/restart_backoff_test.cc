#include "stream/restart_backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace runnel::host {
namespace {

using std::chrono::milliseconds;

TEST(RestartBackoff, GrafanaDelays) {
  EXPECT_EQ(RestartBackoff::DelayFor(0), milliseconds(0));
  EXPECT_EQ(RestartBackoff::DelayFor(1), milliseconds(200));
  EXPECT_EQ(RestartBackoff::DelayFor(2), milliseconds(400));
  EXPECT_EQ(RestartBackoff::DelayFor(5), milliseconds(3200));
  EXPECT_EQ(RestartBackoff::DelayFor(6), milliseconds(5000));
  EXPECT_EQ(RestartBackoff::DelayFor(60), milliseconds(5000));
}

TEST(RestartBackoff, FastErrorsGrowLongRunResets) {
  RestartBackoff backoff;
  std::vector<long> delays;
  for (int i = 0; i < 8; ++i) {
    delays.push_back(backoff.NextDelay(milliseconds(5)).count());
  }
  EXPECT_EQ(delays,
            (std::vector<long>{0, 200, 400, 800, 1600, 3200, 5000, 5000}));
  EXPECT_EQ(backoff.NextDelay(milliseconds(100)), milliseconds(0));
  EXPECT_EQ(backoff.NextDelay(milliseconds(99)), milliseconds(0));
  EXPECT_EQ(backoff.NextDelay(milliseconds(99)), milliseconds(200));
  backoff.Reset();
  EXPECT_EQ(backoff.NextDelay(milliseconds(1)), milliseconds(0));
}

}  // namespace
}  // namespace runnel::host
