#include "query/time_range.h"

#include <gtest/gtest.h>

namespace runnel::host::testing {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::optional<int64_t> Parse(std::string_view text) {
  std::string why;
  return ParseGrafanaTime(text, kNow, &why);
}

TEST(TimeRangeTest, EpochMillisecondsAsDigits) {
  EXPECT_EQ(Parse("1699999000000"), 1'699'999'000'000);
  EXPECT_EQ(Parse("0"), 0);
}

TEST(TimeRangeTest, NowAndOffsetsInEveryUnit) {
  EXPECT_EQ(Parse("now"), kNow);
  EXPECT_EQ(Parse("now-30s"), kNow - 30'000);
  EXPECT_EQ(Parse("now-5m"), kNow - 300'000);
  EXPECT_EQ(Parse("now-6h"), kNow - 6 * 3'600'000);
  EXPECT_EQ(Parse("now-1d"), kNow - 86'400'000);
  EXPECT_EQ(Parse("now-1w"), kNow - 7 * 86'400'000LL);
  EXPECT_EQ(Parse("now+1h"), kNow + 3'600'000);
}

TEST(TimeRangeTest, RefusesOtherFormsWithAMessage) {
  for (std::string_view bad :
       {"", "yesterday", "now-", "now-5", "now-5y", "now/d", "now-m", "12a",
        "-5", "now-99999999999999999999m", "2024-01-01T00:00:00Z"}) {
    std::string why;
    EXPECT_FALSE(ParseGrafanaTime(bad, kNow, &why).has_value()) << bad;
    EXPECT_NE(why.find("unsupported time"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace runnel::host::testing
