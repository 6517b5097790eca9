// runstream_bench: frames per second through one RunStream, from a plugin's
// StreamSender.SendFrame to a gRPC client, as a go-plugin host receives them.
//
//   runstream_bench [--seconds S]
//       Re-runs this binary as a plugin (it is one when the go-plugin cookie
//       is set) whose RunStream sends one-row frames in a tight SendFrame
//       loop: the ceiling of the SDK + gRPC path.
//   runstream_bench --plugin PATH [--path bench/100000hz] [--seconds S]
//       Starts a plugin (e.g. the testdata plugin) and pulls that stream.
//
// Each frame is data-only JSON with an int64 field sent_ns (CLOCK_REALTIME
// at send); the client reports frames/s, bytes/s and the send-to-receive
// latency p50/p99. The first 0.5 s are warm-up and not counted.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "backend.grpc.pb.h"
#include "child_plugin.h"
#include "runnel/runnel.h"

namespace {

// The plugin side: one stream path, any name, sent as fast as possible.
class TightLoop final : public runnel::RunStreamHandler {
 public:
  runnel::Status RunStream(const runnel::RunStreamRequest&,
                           runnel::StreamSender& sender) override {
    runnel::Frame frame("bench");
    frame.AddField("Time", runnel::FieldType::kTime);
    frame.AddField("Value", runnel::FieldType::kFloat64);
    frame.AddField("sent_ns", runnel::FieldType::kInt64);
    double value = 0;
    while (!sender.Cancelled()) {
      const int64_t now = runnel::Timestamp::Now().unix_nanos;
      frame.ClearRows();
      auto& f = frame.fields();
      f[0].AppendTime(runnel::Timestamp{now});
      f[1].AppendFloat64(value += 0.25);
      f[2].AppendInt64(now);
      if (!sender.SendFrame(frame, runnel::FrameInclude::kDataOnly).ok()) break;
    }
    return runnel::Status::Ok();
  }
};

// sent_ns from {"data":{"values":[[t],[v],[sent_ns]],...}}: the number in
// the third and last values column. -1 when the packet has another shape
// (e.g. a testdata stream, which has no send time).
int64_t SentNanos(std::string_view packet) {
  size_t pos = packet.find("\"values\":[[");
  if (pos == std::string_view::npos) return -1;
  for (int column = 0; column < 2; ++column) {
    pos = packet.find("],[", pos);
    if (pos == std::string_view::npos) return -1;
    pos += 3;
  }
  int64_t v = 0;
  bool any = false;
  for (; pos < packet.size() && packet[pos] >= '0' && packet[pos] <= '9';
       ++pos) {
    v = v * 10 + (packet[pos] - '0');
    any = true;
  }
  if (!any || packet.substr(pos, 2) != "]]") return -1;
  return v;
}

struct Args {
  double seconds = 5;
  std::string plugin;  // empty: this binary in plugin mode
  std::string path = "bench/100000hz";
  std::string target;  // dial a plugin that is already running
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    const char* v = nullptr;
    if (a == "--seconds" && (v = value())) {
      args->seconds = std::atof(v);
    } else if (a == "--plugin" && (v = value())) {
      args->plugin = v;
    } else if (a == "--path" && (v = value())) {
      args->path = v;
    } else if (a == "--target" && (v = value())) {
      args->target = v;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S] [--plugin PATH | --target URI] "
                   "[--path P]\n",
                   argv[0]);
      return false;
    }
  }
  return args->seconds > 0;
}

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// CPU seconds (user + system) a process has used so far.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int64_t Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("grafana_plugin_type") != nullptr) {
    runnel::ServeOptions options;
    options.subscribe_stream = runnel::AllowAllSubscriptions();
    options.run_stream = std::make_shared<TightLoop>();
    return runnel::Serve(options);
  }
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;
  const bool self = args.plugin.empty() && args.target.empty();
  std::unique_ptr<runnel::bench::ChildPlugin> child;
  std::string target = args.target;
  if (target.empty()) {
    std::vector<std::string> child_argv = {
        self ? std::filesystem::read_symlink("/proc/self/exe").string()
             : args.plugin};
    std::string error;
    child = runnel::bench::ChildPlugin::Start(child_argv, {}, &error);
    if (!child) {
      std::fprintf(stderr, "cannot start the plugin: %s\n", error.c_str());
      return 1;
    }
    target = child->target();
  }
  const pid_t plugin_pid = child ? child->pid() : 0;

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), channel_args);
  auto stub = pluginv2::Stream::NewStub(channel);
  grpc::ClientContext ctx;
  pluginv2::RunStreamRequest req;
  req.set_path(self ? "tight" : args.path);  // any path for the tight loop
  auto reader = stub->RunStream(&ctx, req);

  using Clock = std::chrono::steady_clock;
  const auto warmup = std::chrono::milliseconds(500);
  const auto measure = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(args.seconds));
  pluginv2::StreamPacket packet;
  if (!reader->Read(&packet)) {
    grpc::Status s = reader->Finish();
    std::fprintf(stderr, "the stream ended at once: %s\n",
                 s.error_message().c_str());
    return 1;
  }
  if (!nlohmann::json::accept(packet.data())) {
    std::fprintf(stderr, "unexpected packet: %s\n", packet.data().c_str());
    return 1;
  }
  const Clock::time_point start = Clock::now() + warmup;
  const Clock::time_point end = start + measure;
  int64_t frames = 0, bytes = 0;
  std::vector<int64_t> latency_ns;
  latency_ns.reserve(1 << 20);
  Clock::time_point now = Clock::now();
  double plugin_cpu_start = 0, client_cpu_start = 0;
  bool counting = false;
  Clock::duration max_gap{0};
  while (now < end && reader->Read(&packet)) {
    const Clock::time_point previous = now;
    now = Clock::now();
    if (now < start) continue;
    if (counting) max_gap = std::max(max_gap, now - previous);
    if (!counting) {
      counting = true;
      plugin_cpu_start = (plugin_pid ? ProcessCpuSeconds(plugin_pid) : 0);
      client_cpu_start = SelfCpuSeconds();
    }
    ++frames;
    bytes += static_cast<int64_t>(packet.data().size());
    const int64_t sent = SentNanos(packet.data());
    if (sent > 0)
      latency_ns.push_back(runnel::Timestamp::Now().unix_nanos - sent);
  }
  const double elapsed =
      std::chrono::duration<double>(std::min(now, end) - start).count();
  const double plugin_cpu =
      (plugin_pid ? ProcessCpuSeconds(plugin_pid) : 0) - plugin_cpu_start;
  const double client_cpu = SelfCpuSeconds() - client_cpu_start;
  ctx.TryCancel();
  while (reader->Read(&packet)) {
  }
  reader->Finish();

  const double fps = frames / elapsed;
  std::printf(
      "runstream_bench source=%s path=%s seconds=%.2f frames=%lld "
      "frames_per_s=%.0f bytes_per_frame=%.0f MB_per_s=%.1f "
      "latency_p50_us=%.0f latency_p99_us=%.0f plugin_cpu_s=%.2f "
      "client_cpu_s=%.2f plugin_us_per_frame=%.2f client_us_per_frame=%.2f "
      "max_gap_ms=%.1f load1=%.1f\n",
      self ? "tight-sendframe-loop"
           : (args.plugin.empty() ? target.c_str() : args.plugin.c_str()),
      self ? "tight" : args.path.c_str(), elapsed,
      static_cast<long long>(frames), fps,
      frames ? static_cast<double>(bytes) / frames : 0.0, bytes / elapsed / 1e6,
      Percentile(latency_ns, 0.50) / 1e3, Percentile(latency_ns, 0.99) / 1e3,
      plugin_cpu, client_cpu, frames ? plugin_cpu * 1e6 / frames : 0.0,
      frames ? client_cpu * 1e6 / frames : 0.0,
      std::chrono::duration<double, std::milli>(max_gap).count(),
      LoadAverage());
  return frames > 0 ? 0 : 1;
}
