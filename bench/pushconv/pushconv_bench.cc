// Times the push route's conversion of the push benchmark's body (the load
// generator's own MakePushBody): parse + convert, then the frame JSON of
// the schema and of the data. Prints one JSON line: nanoseconds per line for
// each step and in all. Single-threaded and socket-free, so it isolates the
// part of a push that is Runnel's own code from the kernel's share.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "push/telegraf_frames.h"
#include "pusher.h"
#include "runnel/frame_json.h"

namespace {

int64_t CpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  int lines = 1000;
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) {
      seconds = std::atof(argv[i + 1]);
    }
  }
  runnel::loadgen::PushBody body = runnel::loadgen::MakePushBody(lines);
  runnel::loadgen::StampPushBody(1765000000000000000, &body);
  const runnel::host::ConvertOptions options;
  const runnel::Timestamp now{1765000000000000000};

  int64_t convert_ns = 0, json_ns = 0, bodies = 0, json_bytes = 0;
  const int64_t budget = static_cast<int64_t>(seconds * 1e9);
  while (convert_ns + json_ns < budget) {
    const int64_t start = CpuNanos();
    std::vector<runnel::host::MeasurementFrame> frames;
    runnel::Status status =
        runnel::host::ConvertLineProtocol(body.text, options, now, frames);
    if (!status.ok()) {
      std::fprintf(stderr, "convert failed: %s\n", status.message().c_str());
      return 1;
    }
    const int64_t converted = CpuNanos();
    for (const auto& frame : frames) {
      std::string schema =
          FrameToJSON(frame.frame, runnel::FrameInclude::kSchemaOnly);
      std::string data =
          FrameToJSON(frame.frame, runnel::FrameInclude::kDataOnly);
      json_bytes += static_cast<int64_t>(schema.size() + data.size());
    }
    const int64_t encoded = CpuNanos();
    convert_ns += converted - start;
    json_ns += encoded - converted;
    ++bodies;
  }
  const double per_line = 1.0 / static_cast<double>(bodies * lines);
  std::printf(
      "{\"lines_per_body\":%d,\"bodies\":%lld,\"parse_convert_ns_per_line\":%."
      "1f,"
      "\"json_ns_per_line\":%.1f,\"total_ns_per_line\":%.1f,"
      "\"json_bytes_per_body\":%lld}\n",
      lines, static_cast<long long>(bodies), convert_ns * per_line,
      json_ns * per_line, (convert_ns + json_ns) * per_line,
      static_cast<long long>(json_bytes / bodies));
  return 0;
}
