// What a load-generator child (a worker or the pusher) tells the
// coordinator over its report pipe: lines such as "READY 10" and
// "RESULT key=value ...". Thread-safety: plain functions and a value type.
#ifndef RUNNEL_BENCH_LOADGEN_REPORT_LINE_H_
#define RUNNEL_BENCH_LOADGEN_REPORT_LINE_H_

#include <string>
#include <string_view>

namespace runnel::loadgen {

// Writes all of `line` to `fd`, again after EINTR. A failed write is
// dropped: the coordinator sees the report missing and says so.
void WriteReportLine(int fd, std::string_view line);

// Builds "RESULT key=value key=value ..." (without the newline).
class ResultLine {
 public:
  template <typename Number>
  void Add(std::string_view key, Number value) {
    AddText(key, std::to_string(value));
  }
  // key=<k>:<count>,<k>:<count>... for a map of counts by code or status.
  template <typename Counts>
  void AddCounts(std::string_view key, const Counts& counts) {
    std::string value;
    for (const auto& [code, count] : counts) {
      if (!value.empty()) value += ',';
      value += std::to_string(code) + ":" + std::to_string(count);
    }
    AddText(key, value);
  }
  void AddText(std::string_view key, std::string_view value);
  const std::string& text() const { return text_; }

 private:
  std::string text_ = "RESULT";
};

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_REPORT_LINE_H_
