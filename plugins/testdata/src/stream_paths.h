// Stream paths the testdata plugin serves (grafana
// pkg/tsdb/grafana-testdata-datasource/stream_handler.go), plus the benchmark
// stream bench/<N>hz. Pure functions; thread-safe.
#ifndef RUNNEL_PLUGINS_TESTDATA_STREAM_PATHS_H_
#define RUNNEL_PLUGINS_TESTDATA_STREAM_PATHS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace runnel::testdata {

enum class StreamKind {
  kTestdata,  // Time, Value, Min, Max; one row per packet
  kLabeled,   // labels, Time, Value; two rows per packet
  kBench,     // Time, Value, sent_ns; one row per packet, N per second
};

// Highest rate bench/<N>hz accepts.
inline constexpr int64_t kMaxBenchRateHz = 100000;

struct StreamSpec {
  StreamKind kind = StreamKind::kTestdata;
  std::chrono::nanoseconds interval{0};  // kTestdata / kLabeled
  double drop_ratio = 0;                 // share of ticks not sent
  int64_t rate_hz = 0;                   // kBench: packets per second
};

// random-2s-stream, random-flakey-stream, random-labeled-stream,
// random-20Hz-stream(-<digits>)? and bench/<1..100000>hz(-<digits>)?. Anything
// else: nullopt.
std::optional<StreamSpec> ParseStreamPath(std::string_view path);

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_STREAM_PATHS_H_
