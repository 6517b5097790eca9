#include "pusher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

#include "delivery_progress.h"
#include "latency_histogram.h"
#include "report_line.h"

namespace runnel::loadgen {
namespace {

constexpr int kStampDigits = 19;  // Unix nanoseconds until 2286

int64_t Now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void WriteDigits(int64_t value, char* at) {
  for (int i = kStampDigits - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// What the response head says about the body that follows.
struct ResponseHead {
  int status = 0;
  size_t head_size = 0;
  long content_length = -1;  // -1: none given
  bool chunked = false;
  bool close = false;
};

// Parses a complete response head (through "\r\n\r\n") at the start of
// `received`; false if it is not complete yet.
bool ParseResponseHead(std::string_view received, ResponseHead* head) {
  const size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  head->head_size = end + 4;
  std::string_view lines = received.substr(0, end);
  const size_t space = lines.find(' ');
  if (space != std::string_view::npos) {
    std::from_chars(lines.data() + space + 1, lines.data() + lines.size(),
                    head->status);
  }
  while (!lines.empty()) {
    const size_t eol = lines.find("\r\n");
    const std::string_view line = lines.substr(0, eol);
    lines = eol == std::string_view::npos ? std::string_view()
                                          : lines.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (EqualsIgnoreCase(name, "content-length")) {
      std::from_chars(value.data(), value.data() + value.size(),
                      head->content_length);
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      head->chunked = EqualsIgnoreCase(value, "chunked");
    } else if (EqualsIgnoreCase(name, "connection")) {
      head->close = EqualsIgnoreCase(value, "close");
    }
  }
  return true;
}

enum class ConnState { kClosed, kIdle, kWriting, kReading };

struct PushConn {
  int fd = -1;
  ConnState state = ConnState::kClosed;
  PushBody body;             // this connection's copy, stamped per send
  std::string request;       // head + body of the request being written
  size_t written = 0;        // bytes of `request` written
  std::string in;            // response bytes received
  int64_t sent_mono_ns = 0;  // when the request started
};

class Pusher {
 public:
  Pusher(const Options& options, int control_fd, int report_fd,
         ProgressBoard* board)
      : options_(options),
        control_fd_(control_fd),
        report_fd_(report_fd),
        board_(board),
        window_(static_cast<uint64_t>(options.push_window) *
                options.push_connections) {}

  int Run();

 private:
  bool Connect(PushConn& conn);
  void Send(PushConn& conn);
  void OnWritable(PushConn& conn);
  void OnReadable(PushConn& conn);
  void OnResponse(PushConn& conn, const ResponseHead& head);
  void Fail(PushConn& conn);
  void OnControl();
  void OnProgress();
  void UpdateDelivered();
  // Whether one more body may go: fewer than window_ bodies ahead of the
  // slowest subscriber (always, without a window).
  bool MaySend() const;
  bool WindowAllows() const;
  bool RateAllows() const;
  int64_t NextDueNanos() const;  // monotonic; only with a rate
  // Milliseconds until the next body is due (-1: no schedule to wait on).
  int MillisUntilDue() const;
  void SendWhereAllowed();
  bool AllIdle() const;
  bool Drained() const;
  void WriteReport(const std::string& line);
  std::string ResultLine() const;

  const Options& options_;
  const int control_fd_;
  const int report_fd_;
  ProgressBoard* const board_;  // null: closed loop on the answers only
  const uint64_t window_;       // bodies ahead of delivery; 0: no window
  std::vector<PushConn> conns_;
  std::string request_head_;

  bool warming_up_ = true;
  int warmup_status_ = 0;
  bool pushing_ = false;
  bool stopping_ = false;
  bool control_closed_ = false;
  int64_t window_start_ns_ = 0;  // monotonic, at "M"
  int64_t last_answer_ns_ = 0;   // monotonic, the last answer in the window
  int64_t cpu_start_ns_ = 0;     // this process's CPU time at "M"
  // Bodies sent in the window that are (or may still be) published: sent,
  // less those answered with an error.
  uint64_t expected_ = 0;
  uint64_t scheduled_ = 0;    // bodies sent in the window, for the rate
  uint64_t delivered_ = 0;    // frames the slowest subscriber has
  int64_t delivered_ns_ = 0;  // monotonic, when delivered_ last grew
  uint64_t paced_waits_ = 0;  // answers after which the window was full
  uint64_t bodies_ok_ = 0;
  uint64_t bodies_failed_ = 0;
  uint64_t connect_errors_ = 0;
  uint64_t reconnects_ = 0;
  std::map<int, uint64_t> statuses_;
  LatencyHistogram request_latency_;
};

int Pusher::Run() {
  const bool publish = options_.push_kind == PushKind::kPublish;
  const PushBody body = publish ? MakePublishBody(options_.publish_channel)
                                : MakePushBody(options_.push_lines);
  request_head_ = "POST " + options_.push_target +
                  " HTTP/1.1\r\nHost: " + options_.push_host + ":" +
                  std::to_string(options_.push_port) + "\r\nContent-Type: " +
                  (publish ? "application/json" : "text/plain; charset=utf-8") +
                  "\r\nContent-Length: " + std::to_string(body.text.size()) +
                  "\r\n\r\n";
  conns_.resize(options_.push_connections);
  for (auto& conn : conns_) {
    conn.body = body;
    if (!Connect(conn)) ++connect_errors_;
  }
  if (conns_.empty() || conns_[0].state != ConnState::kIdle) {
    WriteReport("READY 0\n");
  } else {
    Send(conns_[0]);
  }

  std::vector<pollfd> fds;
  int64_t drain_progress_ns = 0;  // monotonic, last progress after "S"
  uint64_t drain_delivered = 0;
  while (true) {
    if (control_closed_ && !pushing_) break;
    if (stopping_ && AllIdle()) {
      // With a board, the window ends when the slowest subscriber has
      // every frame (or stops getting any for drain_timeout_s).
      if (board_ == nullptr || !pushing_ || Drained()) break;
      const int64_t now = Now(CLOCK_MONOTONIC);
      if (drain_progress_ns == 0 || delivered_ != drain_delivered) {
        drain_progress_ns = now;
        drain_delivered = delivered_;
      } else if (now - drain_progress_ns > options_.drain_timeout_s * 1e9) {
        break;
      }
    }
    fds.clear();
    fds.push_back({control_closed_ ? -1 : control_fd_, POLLIN, 0});
    fds.push_back({board_ != nullptr ? board_->wake_fd() : -1, POLLIN, 0});
    for (const auto& conn : conns_) {
      short events = 0;
      if (conn.state == ConnState::kWriting) events = POLLOUT;
      if (conn.state == ConnState::kReading) events = POLLIN;
      fds.push_back({events != 0 ? conn.fd : -1, events, 0});
    }
    const int due_ms = MillisUntilDue();
    const int timeout_ms = due_ms >= 0 ? std::min(due_ms, 100) : 100;
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      perror("poll");
      return 1;
    }
    if (pushing_ && !stopping_ && options_.push_rate > 0) SendWhereAllowed();
    if (fds[0].revents != 0) OnControl();
    if (fds[1].revents != 0) OnProgress();
    for (size_t i = 0; i < conns_.size(); ++i) {
      const short revents = fds[i + 2].revents;
      if (revents == 0) continue;
      PushConn& conn = conns_[i];
      if (conn.state == ConnState::kWriting) {
        OnWritable(conn);
      } else if (conn.state == ConnState::kReading) {
        OnReadable(conn);
      }
    }
  }
  WriteReport(ResultLine());
  return 0;
}

bool Pusher::Connect(PushConn& conn) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(options_.push_port);
  inet_pton(AF_INET, options_.push_host.c_str(), &server.sin_addr);
  // A blocking connect on loopback; the socket is non-blocking after it.
  if (connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0) {
    close(fd);
    return false;
  }
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  conn.fd = fd;
  conn.state = ConnState::kIdle;
  conn.in.clear();
  return true;
}

void Pusher::Send(PushConn& conn) {
  if (pushing_) {
    ++expected_;
    ++scheduled_;
  }
  const int64_t now = Now(CLOCK_REALTIME);
  StampPushBody(now, &conn.body);
  conn.request.assign(request_head_);
  conn.request.append(conn.body.text);
  conn.written = 0;
  conn.sent_mono_ns = Now(CLOCK_MONOTONIC);
  conn.state = ConnState::kWriting;
  OnWritable(conn);
}

void Pusher::OnWritable(PushConn& conn) {
  while (conn.written < conn.request.size()) {
    const ssize_t wrote = write(conn.fd, conn.request.data() + conn.written,
                                conn.request.size() - conn.written);
    if (wrote < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Fail(conn);
      return;
    }
    conn.written += static_cast<size_t>(wrote);
  }
  conn.state = ConnState::kReading;
}

void Pusher::OnReadable(PushConn& conn) {
  char buffer[16384];
  const ssize_t got = read(conn.fd, buffer, sizeof(buffer));
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (got <= 0) {
    Fail(conn);
    return;
  }
  conn.in.append(buffer, static_cast<size_t>(got));
  ResponseHead head;
  if (!ParseResponseHead(conn.in, &head)) return;
  const std::string_view body =
      std::string_view(conn.in).substr(head.head_size);
  if (head.chunked) {
    // Error bodies only: complete once the last chunk arrived.
    if (!body.starts_with("0\r\n\r\n") &&
        body.find("\r\n0\r\n\r\n") == std::string_view::npos) {
      return;
    }
  } else if (head.content_length > 0 &&
             body.size() < static_cast<size_t>(head.content_length)) {
    return;
  }
  OnResponse(conn, head);
}

void Pusher::OnResponse(PushConn& conn, const ResponseHead& head) {
  const int64_t now = Now(CLOCK_MONOTONIC);
  conn.in.clear();
  conn.state = ConnState::kIdle;
  if (warming_up_) {
    warming_up_ = false;
    warmup_status_ = head.status;
    WriteReport("READY " + std::to_string(head.status) + "\n");
  } else if (pushing_) {
    ++statuses_[head.status];
    if (head.status == 200) {
      ++bodies_ok_;
    } else {
      ++bodies_failed_;
      --expected_;  // no frame will come of it
    }
    request_latency_.Record(now - conn.sent_mono_ns);
    last_answer_ns_ = now;
  }
  if (head.close || (head.content_length < 0 && !head.chunked)) {
    close(conn.fd);
    conn.state = ConnState::kClosed;
    if (!Connect(conn)) {
      ++connect_errors_;
      return;
    }
    ++reconnects_;
  }
  if (pushing_ && !stopping_) {
    UpdateDelivered();  // the freshest view of delivery before deciding
    if (!WindowAllows()) {
      ++paced_waits_;
    } else if (RateAllows()) {
      Send(conn);
    }  // else the schedule sends it when due
  }
}

void Pusher::Fail(PushConn& conn) {
  close(conn.fd);
  conn.fd = -1;
  conn.state = ConnState::kClosed;
  conn.in.clear();
  if (warming_up_) {
    warming_up_ = false;
    WriteReport("READY 0\n");
  } else if (pushing_) {
    ++bodies_failed_;
    ++statuses_[0];
    --expected_;
  }
  if (Connect(conn)) {
    ++reconnects_;
    if (pushing_ && !stopping_ && MaySend()) Send(conn);
  } else {
    ++connect_errors_;
  }
}

void Pusher::OnControl() {
  char command[64];
  const ssize_t got = read(control_fd_, command, sizeof(command));
  if (got <= 0) {
    control_closed_ = true;  // the coordinator is gone
    stopping_ = true;
    return;
  }
  for (ssize_t i = 0; i < got; ++i) {
    if (command[i] == 'M' && !pushing_) {
      pushing_ = true;
      window_start_ns_ = last_answer_ns_ = delivered_ns_ = Now(CLOCK_MONOTONIC);
      cpu_start_ns_ = Now(CLOCK_PROCESS_CPUTIME_ID);
      SendWhereAllowed();
    } else if (command[i] == 'S') {
      stopping_ = true;
    }
  }
}

void Pusher::OnProgress() {
  if (board_ == nullptr) return;
  board_->Clear();
  UpdateDelivered();
  if (pushing_ && !stopping_) SendWhereAllowed();
}

void Pusher::UpdateDelivered() {
  if (board_ == nullptr || !pushing_) return;
  const uint64_t delivered = std::min(board_->Min(), expected_);
  if (delivered > delivered_) {
    delivered_ = delivered;
    delivered_ns_ = Now(CLOCK_MONOTONIC);
  }
}

bool Pusher::MaySend() const { return WindowAllows() && RateAllows(); }

bool Pusher::WindowAllows() const {
  return board_ == nullptr || window_ == 0 || expected_ < delivered_ + window_;
}

// Body i (from 0) of the window is due i / rate seconds after its start.
int64_t Pusher::NextDueNanos() const {
  return window_start_ns_ +
         static_cast<int64_t>(static_cast<double>(scheduled_) * 1e9 /
                              options_.push_rate);
}

bool Pusher::RateAllows() const {
  return options_.push_rate <= 0 || Now(CLOCK_MONOTONIC) >= NextDueNanos();
}

int Pusher::MillisUntilDue() const {
  if (!pushing_ || stopping_ || options_.push_rate <= 0) return -1;
  const int64_t wait_ns = NextDueNanos() - Now(CLOCK_MONOTONIC);
  // Rounded up: waking before the due time would only poll again.
  return wait_ns <= 0 ? 0 : static_cast<int>((wait_ns + 999999) / 1000000);
}

void Pusher::SendWhereAllowed() {
  for (auto& conn : conns_) {
    if (!MaySend()) return;
    if (conn.state == ConnState::kIdle) Send(conn);
  }
}

bool Pusher::Drained() const { return delivered_ >= expected_; }

bool Pusher::AllIdle() const {
  for (const auto& conn : conns_) {
    if (conn.state == ConnState::kWriting ||
        conn.state == ConnState::kReading) {
      return false;
    }
  }
  return true;
}

void Pusher::WriteReport(const std::string& line) {
  WriteReportLine(report_fd_, line);
}

std::string Pusher::ResultLine() const {
  loadgen::ResultLine result;
  auto add = [&result](std::string_view key, auto value) {
    result.Add(key, value);
  };

  add("bodies_ok", bodies_ok_);
  add("bodies_failed", bodies_failed_);
  add("connect_errors", connect_errors_);
  add("reconnects", reconnects_);
  add("warmup_status", warmup_status_);
  add("window_ns", last_answer_ns_ - window_start_ns_);
  add("paced", board_ != nullptr && window_ > 0 ? 1 : 0);
  add("window_bodies", window_);
  add("paced_waits", paced_waits_);
  add("bodies_expected", expected_);
  // Bodies every subscriber still connected has, and when the last of
  // them arrived (from "M"): the delivered throughput.
  add("bodies_delivered_all", board_ != nullptr ? delivered_ : 0);
  add("delivered_window_ns",
      board_ != nullptr ? delivered_ns_ - window_start_ns_ : 0);
  add("cpu_ns", pushing_ ? Now(CLOCK_PROCESS_CPUTIME_ID) - cpu_start_ns_ : 0);
  result.AddCounts("statuses", statuses_);
  result.AddText("latency", request_latency_.Serialize());
  return result.text() + "\n";
}

}  // namespace

PushBody MakePushBody(int lines) {
  PushBody body;
  const std::string zeros(kStampDigits, '0');
  char prefix[160];
  for (int i = 0; i < lines; ++i) {
    const int length = std::snprintf(
        prefix, sizeof(prefix),
        "bench,host=h%02d,region=r%d bytes=%di,count=%di,load=0.%02d,sent_ns=",
        i % 50, i % 4, (i * 7919) % 100000, i, i % 100);
    body.text.append(prefix, static_cast<size_t>(length));
    body.sent_offsets.push_back(body.text.size());
    body.text += zeros;
    body.text += ' ';
    body.time_offsets.push_back(body.text.size());
    body.text += zeros;
    body.text += '\n';
  }
  return body;
}

PushBody MakePublishBody(std::string_view channel) {
  PushBody body;
  body.text = R"({"channel":")";
  body.text += channel;
  body.text += R"(","data":{"values":[[)";
  body.sent_offsets.push_back(body.text.size());
  body.text += std::string(kStampDigits, '0');
  body.text += "]]}}";
  return body;
}

void StampPushBody(int64_t now_ns, PushBody* body) {
  char* text = body->text.data();
  char sent[kStampDigits];
  WriteDigits(now_ns, sent);
  for (size_t offset : body->sent_offsets) {
    std::memcpy(text + offset, sent, kStampDigits);
  }
  const int64_t now_ms = now_ns / 1000000;
  const int64_t lines = static_cast<int64_t>(body->time_offsets.size());
  for (int64_t i = 0; i < lines; ++i) {
    WriteDigits((now_ms - (lines - 1 - i)) * 1000000,
                text + body->time_offsets[static_cast<size_t>(i)]);
  }
}

int RunPusher(const Options& options, int control_fd, int report_fd,
              ProgressBoard* board) {
  Pusher pusher(options, control_fd, report_fd, board);
  return pusher.Run();
}

}  // namespace runnel::loadgen
