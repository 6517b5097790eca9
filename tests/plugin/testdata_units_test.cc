// Units of the testdata plugin: its stream paths and query step.
#include "gtest/gtest.h"
#include "query.h"
#include "stream_paths.h"

namespace runnel::testdata {
namespace {

using std::chrono::milliseconds;

TEST(StreamPaths, ReferenceStreams) {
  auto s2 = ParseStreamPath("random-2s-stream");
  ASSERT_TRUE(s2);
  EXPECT_EQ(s2->kind, StreamKind::kTestdata);
  EXPECT_EQ(s2->interval, milliseconds(2000));
  EXPECT_EQ(s2->drop_ratio, 0);
  auto flakey = ParseStreamPath("random-flakey-stream");
  ASSERT_TRUE(flakey);
  EXPECT_EQ(flakey->interval, milliseconds(100));
  EXPECT_DOUBLE_EQ(flakey->drop_ratio, 0.9);
  auto labeled = ParseStreamPath("random-labeled-stream");
  ASSERT_TRUE(labeled);
  EXPECT_EQ(labeled->kind, StreamKind::kLabeled);
  EXPECT_EQ(labeled->interval, milliseconds(200));
  EXPECT_DOUBLE_EQ(labeled->drop_ratio, 0.2);
}

TEST(StreamPaths, TwentyHertzRegex) {
  for (const char* ok : {"random-20Hz-stream", "random-20Hz-stream-1",
                         "random-20Hz-stream-12345"}) {
    auto s = ParseStreamPath(ok);
    ASSERT_TRUE(s) << ok;
    EXPECT_EQ(s->interval, milliseconds(50)) << ok;
  }
  for (const char* bad : {"random-20Hz-stream-", "random-20Hz-stream-x",
                          "random-20Hz-stream1", "random-20hz-stream",
                          "xrandom-20Hz-stream", "random-20Hz-stream-1-2"}) {
    EXPECT_FALSE(ParseStreamPath(bad)) << bad;
  }
}

TEST(StreamPaths, BenchRates) {
  auto b = ParseStreamPath("bench/100000hz");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->kind, StreamKind::kBench);
  EXPECT_EQ(b->rate_hz, 100000);
  EXPECT_EQ(ParseStreamPath("bench/1hz")->rate_hz, 1);
  EXPECT_EQ(ParseStreamPath("bench/1hz-9999")->rate_hz, 1);
  EXPECT_FALSE(ParseStreamPath("bench/1hz-"));
  EXPECT_FALSE(ParseStreamPath("bench/1hz-x"));
  for (const char* bad :
       {"bench/0hz", "bench/100001hz", "bench/hz", "bench/-5hz", "bench/10Hz",
        "bench/10", "bench10hz", "bench/99999999hz"}) {
    EXPECT_FALSE(ParseStreamPath(bad)) << bad;
  }
}

TEST(StreamPaths, UnknownIsNullopt) {
  EXPECT_FALSE(ParseStreamPath(""));
  EXPECT_FALSE(ParseStreamPath("sim/foo"));
  EXPECT_FALSE(ParseStreamPath("random-labeled-stream-2"));
}

runnel::DataQuery Q(int64_t from, int64_t to, int64_t interval,
                    int64_t max_points) {
  runnel::DataQuery q;
  q.time_range = {from, to};
  q.interval_ms = interval;
  q.max_data_points = max_points;
  return q;
}

TEST(QueryStep, HonoursIntervalAndMaxDataPoints) {
  EXPECT_EQ(QueryStepMs(Q(0, 10000, 1000, 100)), 1000);
  EXPECT_EQ(QueryStepMs(Q(0, 10000, 100, 5)), 2000);
  EXPECT_EQ(QueryStepMs(Q(0, 10001, 100, 5)), 2001);  // rounds up
  EXPECT_EQ(QueryStepMs(Q(0, 10000, 0, 0)), kDefaultIntervalMs);
  EXPECT_EQ(QueryStepMs(Q(10, 5, 0, 0)), kDefaultIntervalMs);
  EXPECT_GE(QueryStepMs(Q(0, 0, 0, 1)), 1);
}

TEST(Query, PointCountNeverExceedsMaxDataPoints) {
  Query query;
  runnel::QueryDataRequest req;
  auto q = Q(0, 3600000, 1, 250);
  q.ref_id = "A";
  req.queries.push_back(q);
  runnel::QueryDataResponse resp;
  ASSERT_TRUE(query.QueryData(req, &resp).ok());
  ASSERT_EQ(resp.responses["A"].frames.size(), 1u);
  EXPECT_LE(resp.responses["A"].frames[0].rows(), 250u);
  EXPECT_GE(resp.responses["A"].frames[0].rows(), 249u);
}

}  // namespace
}  // namespace runnel::testdata
