#include "coordinator.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "delivery_progress.h"
#include "latency_histogram.h"
#include "proc_stat.h"
#include "pusher.h"
#include "worker.h"

namespace runnel::loadgen {
namespace {

constexpr int kFdsReservedPerWorker = 64;

int64_t MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t RealtimeNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void SleepSeconds(double seconds) {
  if (seconds <= 0) return;
  timespec ts;
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0) {
  }
}

// Raises the soft file limit to the hard one; returns the new soft limit.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

struct WorkerProcess {
  pid_t pid = -1;
  int control_fd = -1;  // coordinator writes commands
  int report_fd = -1;   // coordinator reads READY / RESULT lines
  std::string pending;  // bytes read, not yet a full line
  bool ready = false;
  int64_t ready_count = 0;  // the number on the READY line
  int64_t count = 0;        // the number on the last COUNT line
  bool counted = false;     // a COUNT line arrived since it was cleared
  std::string result;       // the RESULT line, once received
};

// Reads whatever is available from `worker` into lines; returns false on EOF.
bool ReadLines(WorkerProcess& worker) {
  char buffer[65536];
  const ssize_t got = read(worker.report_fd, buffer, sizeof(buffer));
  if (got <= 0) return false;
  worker.pending.append(buffer, static_cast<size_t>(got));
  size_t newline;
  while ((newline = worker.pending.find('\n')) != std::string::npos) {
    const std::string line = worker.pending.substr(0, newline);
    worker.pending.erase(0, newline + 1);
    if (line.starts_with("READY ")) {
      worker.ready = true;
      std::from_chars(line.data() + 6, line.data() + line.size(),
                      worker.ready_count);
    }
    if (line.starts_with("COUNT ")) {
      worker.counted = true;
      std::from_chars(line.data() + 6, line.data() + line.size(), worker.count);
    }
    if (line.starts_with("RESULT")) worker.result = line;
  }
  return true;
}

// Waits until `done(worker)` holds for every worker (or it exited).
template <typename Done>
void WaitForAll(std::vector<WorkerProcess>& workers, Done done) {
  while (true) {
    std::vector<pollfd> fds;
    std::vector<WorkerProcess*> waiting;
    for (auto& worker : workers) {
      if (worker.report_fd >= 0 && !done(worker)) {
        fds.push_back({worker.report_fd, POLLIN, 0});
        waiting.push_back(&worker);
      }
    }
    if (fds.empty()) return;
    if (poll(fds.data(), fds.size(), 1000) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents && !ReadLines(*waiting[i])) {
        close(waiting[i]->report_fd);
        waiting[i]->report_fd = -1;
      }
    }
  }
}

void SendCommand(std::vector<WorkerProcess>& workers, char command) {
  for (auto& worker : workers) {
    if (worker.control_fd >= 0) {
      (void)!write(worker.control_fd, &command, 1);
    }
  }
}

// The value of `key=` in a RESULT line, as a number (0 if absent).
int64_t Field(std::string_view line, std::string_view key) {
  std::string needle(1, ' ');
  needle.append(key);
  needle.push_back('=');
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) return 0;
  const char* begin = line.data() + at + needle.size();
  int64_t value = 0;
  std::from_chars(begin, line.data() + line.size(), value);
  return value;
}

std::string_view TextField(std::string_view line, std::string_view key) {
  std::string needle(1, ' ');
  needle.append(key);
  needle.push_back('=');
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) return {};
  std::string_view rest = line.substr(at + needle.size());
  return rest.substr(0, rest.find(' '));
}

struct ProcessSamples {
  double cpu_seconds = 0;
  long rss_kb = 0;
  int alive = 0;
  double machine_busy_s = 0;      // all processes, all cores
  double broker_cpu_seconds = 0;  // the --watch-broker processes, apart
  long broker_rss_kb = 0;
};

// Samples `options`' watched processes: the plain ones, and the tree roots
// with the children they have at this moment.
ProcessSamples SampleAll(const Options& options) {
  std::vector<pid_t> pids = options.watch_pids;
  for (pid_t root : options.watch_tree_pids) {
    pids.push_back(root);
    for (pid_t child : ChildrenOf(root)) pids.push_back(child);
  }
  ProcessSamples total;
  total.machine_busy_s = MachineBusySeconds();
  for (pid_t pid : pids) {
    if (const auto sample = SampleProcess(pid)) {
      total.cpu_seconds += sample->cpu_seconds;
      total.rss_kb += sample->rss_kb;
      ++total.alive;
    }
  }
  for (pid_t pid : options.watch_broker_pids) {
    if (const auto sample = SampleProcess(pid)) {
      total.broker_cpu_seconds += sample->cpu_seconds;
      total.broker_rss_kb += sample->rss_kb;
    }
  }
  return total;
}

std::string JSONString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string JSONNumber(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

// The workers' RESULT lines, summed.
struct MergedResults {
  std::map<std::string_view, int64_t> sums;  // by kSummedFields
  std::map<std::string, int64_t> closes;     // close code -> count
  LatencyHistogram latency;
  int64_t first_start_ns = 0;
  int64_t last_subscribed_ns = 0;
  int reported = 0;  // workers that sent a RESULT line
};

// When each phase of the run happened, and the watched processes then.
struct RunTimeline {
  int64_t start_ns = 0;
  int64_t connected_ns = 0;
  int64_t measure_start_ns = 0;
  int64_t push_end_ns = 0;  // push mode: the pusher's last answer came
  int64_t measure_end_ns = 0;
  ProcessSamples before_connect;
  ProcessSamples at_start;
  ProcessSamples at_end;
};

const std::vector<std::string_view> kSummedFields = {"subscribed_at_ready",
                                                     "subscribed_end",
                                                     "upgraded",
                                                     "connect_errors",
                                                     "protocol_errors",
                                                     "disconnects",
                                                     "disconnects_measured",
                                                     "messages",
                                                     "message_bytes",
                                                     "messages_without_time",
                                                     "pings",
                                                     "cpu_in_window_ns",
                                                     "reads"};

// Forks a child with a command pipe and a report pipe and fills `child`.
// In the child, the pipe ends of `siblings` (children forked earlier) are
// closed first, then run(control_fd, report_fd) is its exit code. Returns
// false (after perror) if a pipe or the fork fails.
bool ForkChild(const std::vector<WorkerProcess>& siblings,
               const std::function<int(int, int)>& run, WorkerProcess* child) {
  int control[2], report[2];
  if (pipe(control) != 0 || pipe(report) != 0) {
    perror("pipe");
    return false;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return false;
  }
  if (pid == 0) {
    close(control[1]);
    close(report[0]);
    for (const WorkerProcess& sibling : siblings) {
      if (sibling.control_fd >= 0) close(sibling.control_fd);
      if (sibling.report_fd >= 0) close(sibling.report_fd);
    }
    _exit(run(control[0], report[1]));
  }
  close(control[0]);
  close(report[1]);
  child->pid = pid;
  child->control_fd = control[1];
  child->report_fd = report[0];
  return true;
}

// Forks `procs` workers sharing options.connections between them. Returns
// false (after perror) if a pipe or a fork fails.
bool SpawnWorkers(const Options& options, int procs, ProgressBoard* board,
                  std::vector<WorkerProcess>* workers) {
  workers->resize(procs);
  int first_index = 0;
  for (int i = 0; i < procs; ++i) {
    const int count =
        options.connections / procs + (i < options.connections % procs ? 1 : 0);
    const WorkerSlice slice{first_index, count, i};
    auto run = [&options, slice, board](int control_fd, int report_fd) {
      return RunWorker(options, slice, control_fd, report_fd, board);
    };
    if (!ForkChild(*workers, run, &(*workers)[i])) return false;
    first_index += count;
  }
  return true;
}

// Closes the pipes of `processes` and waits for them to exit.
void Reap(std::vector<WorkerProcess>& processes) {
  for (auto& process : processes) {
    if (process.control_fd >= 0) close(process.control_fd);
    if (process.report_fd >= 0) close(process.report_fd);
    int status = 0;
    if (process.pid > 0) waitpid(process.pid, &status, 0);
  }
}

// Waits for every worker to connect, warms up, measures for duration_s,
// collects the RESULT lines and reaps the workers.
void RunPhases(const Options& options, std::vector<WorkerProcess>& workers,
               RunTimeline* timeline) {
  WaitForAll(workers, [](const WorkerProcess& w) { return w.ready; });
  timeline->connected_ns = MonotonicNow();
  if (!options.ready_file.empty()) {
    std::ofstream(options.ready_file) << "ready\n";
  }
  SleepSeconds(options.warmup_s);
  timeline->at_start = SampleAll(options);
  timeline->measure_start_ns = MonotonicNow();
  SendCommand(workers, 'M');
  SleepSeconds(options.duration_s);
  SendCommand(workers, 'S');
  timeline->measure_end_ns = MonotonicNow();
  timeline->at_end = SampleAll(options);
  WaitForAll(workers, [](const WorkerProcess& w) { return !w.result.empty(); });
  Reap(workers);
}

// Forks the pusher (push mode). Returns false (after perror) if a pipe or
// the fork fails.
bool SpawnPusher(const Options& options,
                 const std::vector<WorkerProcess>& workers,
                 ProgressBoard* board, WorkerProcess* pusher) {
  return ForkChild(
      workers,
      [&options, board](int control_fd, int report_fd) {
        return RunPusher(options, control_fd, report_fd, board);
      },
      pusher);
}

// Push mode: once the subscribers are connected the pusher starts and sends
// its warm-up body; after the warm-up the subscribers count and the pusher
// pushes for duration_s, paced by the slowest subscriber through `board`;
// then the coordinator waits until every subscriber has every frame (or
// drain_timeout_s passes without progress) and ends the window there, so
// the server's CPU covers the delivery of what it took.
void RunPushPhases(const Options& options, ProgressBoard* board,
                   std::vector<WorkerProcess>& workers,
                   std::vector<WorkerProcess>& pushers, RunTimeline* timeline) {
  WaitForAll(workers, [](const WorkerProcess& w) { return w.ready; });
  timeline->connected_ns = MonotonicNow();
  if (!options.ready_file.empty()) {
    std::ofstream(options.ready_file) << "ready\n";
  }
  pushers.resize(1);
  if (SpawnPusher(options, workers, board, &pushers[0])) {
    WaitForAll(pushers, [](const WorkerProcess& w) { return w.ready; });
  }
  // A server that refuses the warm-up body gets no load: its figures are
  // missing rather than those of a stream of errors.
  const bool accepted = pushers[0].ready && pushers[0].ready_count == 200;
  if (!accepted) {
    std::fprintf(stderr, "push warm-up answered %lld: not pushing\n",
                 static_cast<long long>(pushers[0].ready_count));
  }
  SleepSeconds(options.warmup_s);
  timeline->at_start = SampleAll(options);
  timeline->measure_start_ns = MonotonicNow();
  board->SetWindowStart(RealtimeNow());
  SendCommand(workers, 'M');
  if (accepted) {
    SleepSeconds(0.05);  // the subscribers count before the first push lands
    SendCommand(pushers, 'M');
    SleepSeconds(options.duration_s);
  }
  SendCommand(pushers, 'S');
  WaitForAll(pushers, [](const WorkerProcess& w) { return !w.result.empty(); });
  timeline->push_end_ns = MonotonicNow();

  int64_t subscribers = 0;
  for (const auto& worker : workers) subscribers += worker.ready_count;
  const int64_t expected =
      subscribers *
      (pushers[0].result.empty() ? 0 : Field(pushers[0].result, "bodies_ok"));
  int64_t last_total = -1;
  int64_t last_progress_ns = MonotonicNow();
  while (true) {
    for (auto& worker : workers) worker.counted = false;
    SendCommand(workers, 'C');
    WaitForAll(workers, [](const WorkerProcess& w) { return w.counted; });
    int64_t total = 0;
    for (const auto& worker : workers) total += worker.count;
    const int64_t now = MonotonicNow();
    if (total >= expected) break;
    if (total != last_total) {
      last_total = total;
      last_progress_ns = now;
    } else if (now - last_progress_ns > options.drain_timeout_s * 1e9) {
      break;
    }
    SleepSeconds(0.01);
  }
  timeline->measure_end_ns = MonotonicNow();
  timeline->at_end = SampleAll(options);
  SendCommand(workers, 'S');
  WaitForAll(workers, [](const WorkerProcess& w) { return !w.result.empty(); });
  Reap(workers);
  Reap(pushers);
}

// Adds a "code:count,code:count" list to `closes`.
void AddCloseCodes(std::string_view codes,
                   std::map<std::string, int64_t>* closes) {
  while (!codes.empty()) {
    const size_t comma = codes.find(',');
    const std::string_view pair = codes.substr(0, comma);
    const size_t colon = pair.find(':');
    if (colon != std::string_view::npos) {
      int64_t count = 0;
      std::from_chars(pair.data() + colon + 1, pair.data() + pair.size(),
                      count);
      (*closes)[std::string(pair.substr(0, colon))] += count;
    }
    codes = comma == std::string_view::npos ? std::string_view()
                                            : codes.substr(comma + 1);
  }
}

MergedResults MergeResults(const std::vector<WorkerProcess>& workers) {
  MergedResults merged;
  for (const auto& worker : workers) {
    if (worker.result.empty()) continue;
    ++merged.reported;
    for (auto key : kSummedFields) {
      merged.sums[key] += Field(worker.result, key);
    }
    const int64_t worker_start = Field(worker.result, "start_ns");
    if (merged.first_start_ns == 0 || worker_start < merged.first_start_ns) {
      merged.first_start_ns = worker_start;
    }
    merged.last_subscribed_ns = std::max(
        merged.last_subscribed_ns, Field(worker.result, "last_subscribed_ns"));
    LatencyHistogram part;
    if (part.Parse(TextField(worker.result, "latency"))) {
      merged.latency.Merge(part);
    }
    AddCloseCodes(TextField(worker.result, "closes"), &merged.closes);
  }
  return merged;
}

// Builds the one-line JSON object the coordinator prints.
class JSONLine {
 public:
  void Add(std::string_view key, const std::string& value) {
    if (json_.size() > 1) json_ += ',';
    json_ += JSONString(key);
    json_ += ':';
    json_ += value;
  }
  std::string Finish() { return json_ + "}"; }

 private:
  std::string json_ = "{";
};

std::string CloseCodesJSON(const std::map<std::string, int64_t>& closes) {
  std::string codes = "{";
  for (const auto& [code, count] : closes) {
    if (codes.size() > 1) codes += ',';
    codes += JSONString(code) + ":" + std::to_string(count);
  }
  return codes + "}";
}

std::string WatchedPidsJSON(const Options& options) {
  std::string pids = "[";
  auto add = [&pids](pid_t pid) {
    if (pids.size() > 1) pids += ',';
    pids += std::to_string(pid);
  };
  for (pid_t pid : options.watch_pids) add(pid);
  for (pid_t root : options.watch_tree_pids) {
    add(root);
    for (pid_t child : ChildrenOf(root)) add(child);
  }
  return pids + "]";
}

// The watched servers' CPU and memory over the run.
void AddServerFigures(const Options& options, const RunTimeline& timeline,
                      double messages, int64_t held, JSONLine* json) {
  const double cpu_s =
      timeline.at_end.cpu_seconds - timeline.at_start.cpu_seconds;
  const long rss_added =
      timeline.at_start.rss_kb - timeline.before_connect.rss_kb;
  json->Add("server_pids", WatchedPidsJSON(options));
  json->Add("server_alive_end", std::to_string(timeline.at_end.alive));
  json->Add("server_cpu_s", JSONNumber(cpu_s));
  const double window_s =
      (timeline.measure_end_ns - timeline.measure_start_ns) / 1e9;
  json->Add("server_cores", JSONNumber(window_s > 0 ? cpu_s / window_s : 0));
  json->Add("server_cpu_s_per_million",
            JSONNumber(messages > 0 ? cpu_s / messages * 1e6 : 0));
  json->Add("server_rss_before_kb",
            std::to_string(timeline.before_connect.rss_kb));
  json->Add("server_rss_ready_kb", std::to_string(timeline.at_start.rss_kb));
  json->Add("server_rss_end_kb", std::to_string(timeline.at_end.rss_kb));
  json->Add("server_rss_per_conn_kb",
            JSONNumber(held > 0 ? static_cast<double>(rss_added) / held : 0));
}

// The broker's (a cluster's Redis) CPU and memory over the window.
void AddBrokerFigures(const RunTimeline& timeline, double messages,
                      JSONLine* json) {
  const double cpu_s =
      timeline.at_end.broker_cpu_seconds - timeline.at_start.broker_cpu_seconds;
  const double window_s =
      (timeline.measure_end_ns - timeline.measure_start_ns) / 1e9;
  json->Add("broker_cpu_s", JSONNumber(cpu_s));
  json->Add("broker_cores", JSONNumber(window_s > 0 ? cpu_s / window_s : 0));
  json->Add("broker_cpu_s_per_million",
            JSONNumber(messages > 0 ? cpu_s / messages * 1e6 : 0));
  json->Add("broker_rss_end_kb", std::to_string(timeline.at_end.broker_rss_kb));
}

// The pusher's figures and what the subscribers got of them (push mode).
void AddPushFigures(const Options& options, const RunTimeline& timeline,
                    const WorkerProcess& pusher, const MergedResults& merged,
                    JSONLine* json) {
  const std::string_view result = pusher.result;
  const int64_t bodies = Field(result, "bodies_ok");
  const double lines = static_cast<double>(bodies) * options.push_lines;
  const double window_s = Field(result, "window_ns") / 1e9;
  const int64_t subscribers = merged.sums.count("subscribed_at_ready")
                                  ? merged.sums.at("subscribed_at_ready")
                                  : 0;
  const double expected = static_cast<double>(bodies) * subscribers;
  const double delivered = static_cast<double>(
      merged.sums.count("messages") ? merged.sums.at("messages") : 0);
  LatencyHistogram requests;
  requests.Parse(TextField(result, "latency"));
  std::map<std::string, int64_t> statuses;
  AddCloseCodes(TextField(result, "statuses"), &statuses);

  json->Add("push_reported", result.empty() ? "false" : "true");
  json->Add("push_connections", std::to_string(options.push_connections));
  json->Add("push_lines_per_body", std::to_string(options.push_lines));
  json->Add("push_warmup_status",
            std::to_string(Field(result, "warmup_status")));
  json->Add("push_bodies", std::to_string(bodies));
  json->Add("push_bodies_failed",
            std::to_string(Field(result, "bodies_failed")));
  json->Add("push_connect_errors",
            std::to_string(Field(result, "connect_errors")));
  json->Add("push_status_codes", CloseCodesJSON(statuses));
  json->Add("push_lines", JSONNumber(lines));
  json->Add("push_window_s", JSONNumber(window_s));
  // Accepted: bodies answered 200 over the time they were answered in.
  json->Add("lines_per_s_accepted",
            JSONNumber(window_s > 0 ? lines / window_s : 0));
  // Delivered: bodies every subscriber still connected received, over the
  // time from the first push to the last of them arriving.
  const bool paced = Field(result, "paced") != 0;
  const double delivered_lines =
      static_cast<double>(Field(result, "bodies_delivered_all")) *
      options.push_lines;
  const double delivered_s = Field(result, "delivered_window_ns") / 1e9;
  json->Add("push_paced", paced ? "true" : "false");
  json->Add("push_window_bodies",
            std::to_string(Field(result, "window_bodies")));
  json->Add("push_paced_waits", std::to_string(Field(result, "paced_waits")));
  json->Add("push_bodies_delivered_all",
            std::to_string(Field(result, "bodies_delivered_all")));
  json->Add("push_delivered_window_s", JSONNumber(delivered_s));
  json->Add("lines_per_s_delivered",
            JSONNumber(delivered_s > 0 ? delivered_lines / delivered_s : 0));
  // Publish mode: one publication per body.
  json->Add("publications_per_s_delivered",
            JSONNumber(delivered_s > 0
                           ? Field(result, "bodies_delivered_all") / delivered_s
                           : 0));
  json->Add("push_rate", JSONNumber(options.push_rate));
  json->Add("push_request_p50_ms", JSONNumber(requests.Percentile(0.5) / 1e6));
  json->Add("push_request_p99_ms", JSONNumber(requests.Percentile(0.99) / 1e6));
  json->Add("frames_expected", JSONNumber(expected));
  json->Add("frames_delivered", JSONNumber(delivered));
  json->Add("frames_delivered_percent",
            JSONNumber(expected > 0 ? 100 * delivered / expected : 0));
  // Deliveries owed and not made: a subscriber that missed a publication.
  json->Add("frames_missing",
            JSONNumber(expected > delivered ? expected - delivered : 0));
  // The headline holds only for a run in which every subscriber stayed and
  // got every frame of every accepted body.
  const int64_t disconnects =
      merged.sums.count("disconnects") ? merged.sums.at("disconnects") : 0;
  const bool complete = bodies > 0 && delivered >= expected &&
                        disconnects == 0 &&
                        Field(result, "bodies_failed") == 0 &&
                        Field(result, "bodies_delivered_all") == bodies;
  json->Add("push_delivery_complete", complete ? "true" : "false");
  json->Add("drain_s",
            JSONNumber((timeline.measure_end_ns - timeline.push_end_ns) / 1e9));
  const double cpu_s =
      timeline.at_end.cpu_seconds - timeline.at_start.cpu_seconds;
  json->Add("server_cpu_s_per_million_lines",
            JSONNumber(lines > 0 ? cpu_s / lines * 1e6 : 0));
}

std::string ReportJSON(const Options& options, int procs, rlim_t file_limit,
                       const RunTimeline& timeline, MergedResults& merged,
                       const std::vector<WorkerProcess>& pushers) {
  const double window_s =
      (timeline.measure_end_ns - timeline.measure_start_ns) / 1e9;
  const double connect_s =
      merged.last_subscribed_ns > merged.first_start_ns
          ? (merged.last_subscribed_ns - merged.first_start_ns) / 1e9
          : (timeline.connected_ns - timeline.start_ns) / 1e9;
  const double messages = static_cast<double>(merged.sums["messages"]);
  const int64_t held = merged.sums["subscribed_at_ready"];
  const LatencyHistogram& latency = merged.latency;

  JSONLine json;
  json.Add("label", JSONString(options.label));
  json.Add("protocol", JSONString(ProtocolName(options.protocol)));
  json.Add("target_connections", std::to_string(options.connections));
  json.Add("procs", std::to_string(procs));
  json.Add("workers_reported", std::to_string(merged.reported));
  json.Add("file_limit", std::to_string(file_limit));
  for (auto key : kSummedFields) {
    if (key != "cpu_in_window_ns") {
      json.Add(key, std::to_string(merged.sums[key]));
    }
  }
  // The load generator's own CPU in the window: if it nears the cores it
  // had, the figures are the load generator's limit, not the server's.
  double loadgen_cpu_s = merged.sums["cpu_in_window_ns"] / 1e9;
  if (!pushers.empty()) {
    const double pusher_cpu_s = Field(pushers[0].result, "cpu_ns") / 1e9;
    json.Add("pusher_cpu_s", JSONNumber(pusher_cpu_s));
    loadgen_cpu_s += pusher_cpu_s;
  }
  json.Add("loadgen_cpu_s", JSONNumber(loadgen_cpu_s));
  // ... as cores busy over the window (the machine's cores: nproc).
  json.Add("loadgen_cores",
           JSONNumber(window_s > 0 ? loadgen_cpu_s / window_s : 0));
  // Every process on the machine, as cores busy: what the server and the
  // load generator leave of it went to other tenants of a shared machine.
  const double machine_cores = window_s > 0
                                   ? (timeline.at_end.machine_busy_s -
                                      timeline.at_start.machine_busy_s) /
                                         window_s
                                   : 0;
  json.Add("machine_cores_busy", JSONNumber(machine_cores));
  json.Add("machine_cores", std::to_string(sysconf(_SC_NPROCESSORS_ONLN)));
  json.Add("connect_seconds", JSONNumber(connect_s));
  json.Add("connects_per_s", JSONNumber(connect_s > 0 ? held / connect_s : 0));
  json.Add("window_s", JSONNumber(window_s));
  json.Add("messages_per_s",
           JSONNumber(window_s > 0 ? messages / window_s : 0));
  json.Add("latency_samples", std::to_string(latency.Count()));
  json.Add("latency_p50_ms", JSONNumber(latency.Percentile(0.50) / 1e6));
  json.Add("latency_p99_ms", JSONNumber(latency.Percentile(0.99) / 1e6));
  json.Add("latency_p999_ms", JSONNumber(latency.Percentile(0.999) / 1e6));
  json.Add("latency_max_ms", JSONNumber(latency.MaxNanos() / 1e6));
  json.Add("close_codes", CloseCodesJSON(merged.closes));
  if (!options.watch_pids.empty() || !options.watch_tree_pids.empty()) {
    AddServerFigures(options, timeline, messages, held, &json);
  }
  if (!options.watch_broker_pids.empty()) {
    AddBrokerFigures(timeline, messages, &json);
  }
  if (!pushers.empty()) {
    AddPushFigures(options, timeline, pushers[0], merged, &json);
  }
  return json.Finish();
}

}  // namespace

int RunCoordinator(const Options& options) {
  signal(SIGPIPE, SIG_IGN);
  const rlim_t file_limit = RaiseFileLimit();
  const int per_worker =
      std::max<int>(1, static_cast<int>(file_limit) - kFdsReservedPerWorker);
  const int procs = std::max(
      options.procs, (options.connections + per_worker - 1) / per_worker);

  RunTimeline timeline;
  timeline.before_connect = SampleAll(options);
  timeline.start_ns = MonotonicNow();
  // Push mode: the workers write their slowest subscriber's count on a
  // board; the pusher paces on it (unless --push-window 0: closed loop)
  // and reports from it what every subscriber received.
  std::unique_ptr<ProgressBoard> board;
  if (options.push_connections > 0) {
    board = ProgressBoard::Create(procs);
    if (!board) return 1;
  }
  std::vector<WorkerProcess> workers;
  if (!SpawnWorkers(options, procs, board.get(), &workers)) return 1;
  std::vector<WorkerProcess> pushers;
  if (options.push_connections > 0) {
    RunPushPhases(options, board.get(), workers, pushers, &timeline);
  } else {
    RunPhases(options, workers, &timeline);
  }
  MergedResults merged = MergeResults(workers);
  std::printf("%s\n",
              ReportJSON(options, procs, file_limit, timeline, merged, pushers)
                  .c_str());
  std::fflush(stdout);
  const bool pushed = pushers.empty() || !pushers[0].result.empty();
  return merged.reported == procs && pushed ? 0 : 1;
}

}  // namespace runnel::loadgen
