#include "runnel/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace runnel::testing {
namespace {

TEST(MetricsRegistryTest, WritesPrometheusTextSortedByFamily) {
  MetricsRegistry registry;
  Gauge& streams = registry.AddGauge("streams", "Streams running.");
  Counter& ok = registry.AddCounter("queries_total", "Queries.\nAll of them.",
                                    {{"status", "ok"}});
  Counter& bad = registry.AddCounter("queries_total", "ignored help",
                                     {{"status", "b\"a\\d"}});
  ok.Add(2);
  bad.Add();
  streams.Set(3);
  streams.Add(-1.5);
  EXPECT_EQ(registry.Text(),
            "# HELP queries_total Queries.\\nAll of them.\n"
            "# TYPE queries_total counter\n"
            "queries_total{status=\"ok\"} 2\n"
            "queries_total{status=\"b\\\"a\\\\d\"} 1\n"
            "# HELP streams Streams running.\n"
            "# TYPE streams gauge\n"
            "streams 1.5\n");
}

TEST(MetricsRegistryTest, TheSameNameAndLabelsGiveTheSameSeries) {
  MetricsRegistry registry;
  Counter& a = registry.AddCounter("hits", "h", {{"x", "1"}});
  Counter& b = registry.AddCounter("hits", "h", {{"x", "1"}});
  EXPECT_EQ(&a, &b);
  a.Add(-5);  // counters never go down
  EXPECT_EQ(b.value(), 0);
}

TEST(MetricsRegistryTest, InvalidNamesAreMadeValid) {
  MetricsRegistry registry;
  registry.AddCounter("9 bad-name", "h", {{"la-bel", "v"}}).Add();
  registry.AddGauge("9 bad-name", "a gauge under a counter's name").Set(1);
  const std::string text = registry.Text();
  EXPECT_NE(text.find("__bad_name{la_bel=\"v\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE __bad_name_gauge gauge\n"), std::string::npos)
      << text;
}

TEST(MetricsRegistryTest, CountsFromManyThreads) {
  MetricsRegistry registry;
  Counter& counter = registry.AddCounter("n", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.Add();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000);
}

}  // namespace
}  // namespace runnel::testing
