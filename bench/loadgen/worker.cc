#include "worker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "delivery_progress.h"
#include "latency_histogram.h"
#include "protocol.h"
#include "report_line.h"
#include "ws_codec.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace runnel::loadgen {
namespace {

constexpr size_t kReadBufferSize = 256 * 1024;
constexpr size_t kMaxMessage = 16 * 1024 * 1024;
constexpr uint64_t kControlTag = ~uint64_t{0};
constexpr size_t kMaxFrameHeader = 14;  // 2 + 8 length bytes + 4 mask bytes

std::vector<std::string> BuildUpgradeRequests(
    const std::vector<ServerUrl>& urls) {
  std::vector<std::string> requests;
  for (const ServerUrl& url : urls) {
    requests.push_back(BuildUpgradeRequest(
        url.host + ":" + std::to_string(url.port), url.path));
  }
  return requests;
}

int64_t Now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

enum class State : uint8_t {
  kFree,
  kTcpConnecting,
  kUpgrading,
  kConnecting,   // connect command sent
  kSubscribing,  // subscribe command sent
  kSubscribed,
};

// The start of a frame that a read split, in room sized for the whole frame
// (or, until its header is in, for the longest header): the rest is read
// straight into place, so a large frame is copied once however many pieces
// it arrives in, and never re-scanned before it is whole. No heap when empty.
class PartialFrame {
 public:
  bool empty() const { return size_ == 0; }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  char* end() { return data_.get() + size_; }
  // Bytes still to come before the room is full.
  size_t Missing() const { return capacity_ - size_; }
  // Records `count` bytes read into end(); count <= Missing().
  void Grew(size_t count) { size_ += count; }
  void Append(const char* bytes, size_t count) {
    std::memcpy(end(), bytes, count);
    size_ += count;
  }
  // Starts over with an incomplete frame's first bytes (which may lie in
  // this buffer).
  void Assign(const char* bytes, size_t count) {
    const uint64_t whole = ServerFrameSize(bytes, count);
    const size_t capacity = whole != 0 ? whole : kMaxFrameHeader;
    auto room = std::make_unique_for_overwrite<char[]>(capacity);
    std::memcpy(room.get(), bytes, count);
    data_ = std::move(room);
    size_ = count;
    capacity_ = capacity;
  }
  void Clear() {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Per-connection state: kept small; the buffers stay empty (no heap) unless
// a frame is split across reads or a write would block.
struct Conn {
  State state = State::kFree;
  bool want_write = false;
  uint16_t url = 0;        // index into options.urls
  uint32_t wake_mark = 1;  // the socket's SO_RCVLOWAT
  std::string head;        // the HTTP response head, while upgrading
  PartialFrame partial;    // an incomplete frame
  std::string fragments;   // a fragmented message being reassembled
  std::string out;         // bytes the socket did not take yet
};

class Worker {
 public:
  Worker(const Options& options, WorkerSlice slice, int control_fd,
         int report_fd, ProgressBoard* board)
      : options_(options),
        slice_(slice),
        board_(board),
        control_fd_(control_fd),
        report_fd_(report_fd),
        upgrade_requests_(BuildUpgradeRequests(options.urls)),
        connect_command_(ConnectCommand(options.protocol)),
        subscribe_command_(SubscribeCommand(options.protocol, options.channel)),
        read_buffer_(kReadBufferSize) {}

  int Run();

 private:
  void OpenMore();
  void Open(int global_index);
  void OnEvent(int fd, uint32_t events);
  void OnWritable(int fd, Conn& conn);
  void OnReadable(int fd, Conn& conn);
  void Consume(int fd, Conn& conn, char* data, size_t size);
  void ConsumeUpgrade(int fd, Conn& conn, const char* data, size_t size);
  void ConsumeFrames(int fd, Conn& conn, char* data, size_t size);
  // Processes the partial frame once its room is full; false if closed.
  bool FinishPartial(int fd, Conn& conn);
  void SetWakeMark(int fd, Conn& conn);
  // Processes frames in data[0,size); returns bytes consumed or -1 on close.
  long ProcessFrames(int fd, Conn& conn, char* data, size_t size);
  void OnMessage(int fd, Conn& conn, std::string_view message);
  void OnLine(int fd, Conn& conn, std::string_view line);
  void OnPublication(int fd, std::string_view payload);
  void PublishProgress();
  void Send(int fd, Conn& conn, WsOpcode opcode, std::string_view payload);
  void Flush(int fd, Conn& conn);
  void SetWantWrite(int fd, Conn& conn, bool want);
  void Subscribed(Conn& conn);
  void Close(int fd, Conn& conn, int close_code);
  void OnControl();
  void MaybeReportReady();
  void WriteReport(const std::string& line);
  std::string ResultLine() const;

  const Options& options_;
  const WorkerSlice slice_;
  ProgressBoard* const board_;  // push mode: where the pusher sees progress
  const int control_fd_;
  const int report_fd_;
  const std::vector<std::string> upgrade_requests_;  // by url
  const std::string connect_command_;
  const std::string subscribe_command_;
  std::vector<char> read_buffer_;
  std::vector<Conn> conns_;  // indexed by fd
  int epoll_fd_ = -1;

  int next_ = 0;       // connections opened so far
  int in_flight_ = 0;  // opened, not yet subscribed nor failed
  bool connect_phase_over_ = false;
  bool measuring_ = false;
  bool stop_ = false;
  int64_t batch_realtime_ns_ = 0;  // receive time of the current read
  int64_t start_ns_ = 0;           // monotonic
  int64_t last_progress_ns_ = 0;   // monotonic
  int64_t last_subscribed_ns_ = 0;
  int64_t cpu_at_measure_start_ns_ = 0;  // this process's CPU time at 'M'
  int64_t cpu_in_window_ns_ = 0;         // ... spent between 'M' and 'S'

  int subscribed_now_ = 0;
  int subscribed_total_ = 0;
  int subscribed_at_ready_ = 0;
  uint64_t upgraded_ = 0;
  uint64_t connect_errors_ = 0;
  uint64_t protocol_errors_ = 0;
  uint64_t disconnects_ = 0;
  uint64_t disconnects_measured_ = 0;
  uint64_t messages_ = 0;       // in the window
  uint64_t message_bytes_ = 0;  // ... their size (the publication's JSON)
  uint64_t reads_ = 0;          // read calls that returned data, in the window
  uint64_t messages_without_time_ = 0;
  uint64_t pings_ = 0;
  std::map<int, uint64_t> close_codes_;
  LatencyHistogram latency_;
  SlowestSubscriber slowest_;  // frames per subscriber in the window
  std::string scratch_;
};

int Worker::Run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    perror("epoll_create1");
    return 1;
  }
  epoll_event control_event{};
  control_event.events = EPOLLIN;
  control_event.data.u64 = kControlTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, control_fd_, &control_event);

  start_ns_ = last_progress_ns_ = Now(CLOCK_MONOTONIC);
  OpenMore();
  std::vector<epoll_event> events(1024);
  while (!stop_) {
    const int ready = epoll_wait(epoll_fd_, events.data(),
                                 static_cast<int>(events.size()), 100);
    if (ready < 0 && errno != EINTR) {
      perror("epoll_wait");
      return 1;
    }
    batch_realtime_ns_ = Now(CLOCK_REALTIME);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kControlTag) {
        OnControl();
      } else {
        OnEvent(static_cast<int>(events[i].data.u64), events[i].events);
      }
    }
    if (!connect_phase_over_) {
      OpenMore();
      MaybeReportReady();
    }
  }
  WriteReport(ResultLine());
  return 0;
}

void Worker::OpenMore() {
  while (next_ < slice_.count && in_flight_ < options_.connect_concurrency) {
    Open(slice_.first_index + next_);
    ++next_;
  }
}

void Worker::Open(int global_index) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ++connect_errors_;
    return;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (options_.sources > 0) {
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr =
        htonl((127u << 24) | (2u + global_index % options_.sources));
    if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) {
      close(fd);
      ++connect_errors_;
      return;
    }
  }
  const auto url = static_cast<uint16_t>(global_index % options_.urls.size());
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(options_.urls[url].port);
  inet_pton(AF_INET, options_.urls[url].host.c_str(), &server.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    ++connect_errors_;
    return;
  }
  if (static_cast<size_t>(fd) >= conns_.size()) conns_.resize(fd + 1024);
  Conn& conn = conns_[fd];
  conn = Conn{};
  conn.state = State::kTcpConnecting;
  conn.want_write = true;
  conn.url = url;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT;
  event.data.u64 = static_cast<uint64_t>(fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  ++in_flight_;
}

void Worker::OnEvent(int fd, uint32_t events) {
  Conn& conn = conns_[fd];
  if (conn.state == State::kFree) return;
  if (events & EPOLLOUT) OnWritable(fd, conn);
  if (conn.state == State::kFree) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) OnReadable(fd, conn);
}

void Worker::OnWritable(int fd, Conn& conn) {
  if (conn.state == State::kTcpConnecting) {
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      Close(fd, conn, -1);
      return;
    }
    conn.state = State::kUpgrading;
    conn.out = upgrade_requests_[conn.url];
  }
  Flush(fd, conn);
}

void Worker::Flush(int fd, Conn& conn) {
  while (!conn.out.empty()) {
    const ssize_t written = write(fd, conn.out.data(), conn.out.size());
    if (written < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      Close(fd, conn, -1);
      return;
    }
    conn.out.erase(0, static_cast<size_t>(written));
  }
  if (conn.out.empty()) conn.out.shrink_to_fit();
  SetWantWrite(fd, conn, !conn.out.empty());
}

void Worker::SetWantWrite(int fd, Conn& conn, bool want) {
  if (conn.want_write == want) return;
  conn.want_write = want;
  epoll_event event{};
  event.events = EPOLLIN | (want ? uint32_t{EPOLLOUT} : uint32_t{0});
  event.data.u64 = static_cast<uint64_t>(fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
}

void Worker::Send(int fd, Conn& conn, WsOpcode opcode,
                  std::string_view payload) {
  AppendClientFrame(opcode, payload, &conn.out);
  Flush(fd, conn);
}

void Worker::OnReadable(int fd, Conn& conn) {
  // The rest of a split frame goes straight into its room, whatever follows
  // into the shared buffer, in one call.
  iovec parts[2];
  int count = 0;
  const bool had_partial = !conn.partial.empty();
  if (had_partial)
    parts[count++] = {conn.partial.end(), conn.partial.Missing()};
  parts[count++] = {read_buffer_.data(), read_buffer_.size()};
  const ssize_t got = readv(fd, parts, count);
  if (got <= 0) {
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    Close(fd, conn, -1);  // EOF or error
    return;
  }
  if (measuring_) ++reads_;
  size_t rest = static_cast<size_t>(got);
  if (had_partial) {
    const size_t direct = std::min(rest, conn.partial.Missing());
    conn.partial.Grew(direct);
    rest -= direct;
    if (!FinishPartial(fd, conn)) return;
  }
  Consume(fd, conn, read_buffer_.data(), rest);
  if (conn.state != State::kFree) SetWakeMark(fd, conn);
}

void Worker::Consume(int fd, Conn& conn, char* data, size_t size) {
  if (conn.state == State::kUpgrading) {
    ConsumeUpgrade(fd, conn, data, size);
    return;
  }
  ConsumeFrames(fd, conn, data, size);
}

void Worker::ConsumeUpgrade(int fd, Conn& conn, const char* data, size_t size) {
  conn.head.append(data, size);
  size_t head_size = 0;
  switch (ParseUpgradeResponse(conn.head, &head_size)) {
    case UpgradeResult::kIncomplete:
      return;
    case UpgradeResult::kRejected:
      Close(fd, conn, -2);
      return;
    case UpgradeResult::kAccepted:
      break;
  }
  ++upgraded_;
  last_progress_ns_ = Now(CLOCK_MONOTONIC);
  std::string frames = conn.head.substr(head_size);
  conn.head = std::string();
  if (options_.protocol == Protocol::kPlain) {
    Subscribed(conn);
  } else {
    conn.state = State::kConnecting;
    Send(fd, conn, WsOpcode::kText, connect_command_);
    if (conn.state == State::kFree) return;
  }
  ConsumeFrames(fd, conn, frames.data(), frames.size());
}

void Worker::ConsumeFrames(int fd, Conn& conn, char* data, size_t size) {
  // Finish a frame begun in an earlier read first (only a few header bytes
  // get here: OnReadable reads the rest of a frame into place).
  while (!conn.partial.empty() && size > 0) {
    const size_t take = std::min(size, conn.partial.Missing());
    conn.partial.Append(data, take);
    data += take;
    size -= take;
    if (!FinishPartial(fd, conn)) return;
  }
  if (!conn.partial.empty()) return;
  // The common case: whole frames in the read buffer, parsed in place.
  const long used = ProcessFrames(fd, conn, data, size);
  if (used >= 0 && static_cast<size_t>(used) < size) {
    conn.partial.Assign(data + used, size - static_cast<size_t>(used));
  }
}

bool Worker::FinishPartial(int fd, Conn& conn) {
  PartialFrame& partial = conn.partial;
  if (partial.Missing() > 0) return true;
  const long used = ProcessFrames(fd, conn, partial.data(), partial.size());
  if (used < 0) return false;
  if (static_cast<size_t>(used) == partial.size()) {
    partial.Clear();
  } else {
    // The room held only a header, now complete: make room for its frame.
    partial.Assign(partial.data() + used,
                   partial.size() - static_cast<size_t>(used));
  }
  return true;
}

void Worker::SetWakeMark(int fd, Conn& conn) {
  // Waking for each piece of a large frame costs a wake-up and a read per
  // piece; with the mark at the bytes still missing, epoll reports the
  // socket once the frame is whole (or on EOF, or under memory pressure,
  // which the code above handles as any short read). Back at 1 between
  // frames, as the next one may be a two-byte ping.
  const size_t missing = conn.partial.empty() ? 1 : conn.partial.Missing();
  const auto mark = static_cast<uint32_t>(std::min<size_t>(missing, INT32_MAX));
  if (mark == conn.wake_mark) return;
  const int value = static_cast<int>(mark);
  setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof(value));
  conn.wake_mark = mark;
}

long Worker::ProcessFrames(int fd, Conn& conn, char* data, size_t size) {
  size_t offset = 0;
  while (offset < size) {
    WsFrame frame;
    const long used =
        ParseServerFrame(data + offset, size - offset, kMaxMessage, &frame);
    if (used == 0) break;
    if (used < 0) {
      ++protocol_errors_;
      Close(fd, conn, -3);
      return -1;
    }
    offset += static_cast<size_t>(used);
    switch (frame.opcode) {
      case WsOpcode::kPing:
        Send(fd, conn, WsOpcode::kPong, frame.payload);
        break;
      case WsOpcode::kPong:
        break;
      case WsOpcode::kClose: {
        int code = 1005;
        if (frame.payload.size() >= 2) {
          code = (static_cast<uint8_t>(frame.payload[0]) << 8) |
                 static_cast<uint8_t>(frame.payload[1]);
        }
        Close(fd, conn, code);
        return -1;
      }
      case WsOpcode::kText:
      case WsOpcode::kBinary:
        if (frame.fin) {
          OnMessage(fd, conn, frame.payload);
        } else {
          conn.fragments.assign(frame.payload);
        }
        break;
      case WsOpcode::kContinuation:
        conn.fragments.append(frame.payload);
        if (frame.fin) {
          std::string message;
          message.swap(conn.fragments);
          OnMessage(fd, conn, message);
        }
        break;
      default:
        ++protocol_errors_;
        Close(fd, conn, -3);
        return -1;
    }
    if (conn.state == State::kFree) return -1;
  }
  return static_cast<long>(offset);
}

void Worker::OnMessage(int fd, Conn& conn, std::string_view message) {
  if (options_.protocol == Protocol::kPlain) {
    OnPublication(fd, message);
    return;
  }
  while (!message.empty()) {
    const size_t newline = message.find('\n');
    const std::string_view line = message.substr(0, newline);
    if (!line.empty()) OnLine(fd, conn, line);
    if (conn.state == State::kFree || newline == std::string_view::npos) {
      return;
    }
    message.remove_prefix(newline + 1);
  }
}

void Worker::OnLine(int fd, Conn& conn, std::string_view line) {
  const Line sorted = ClassifyLine(options_.protocol, line);
  switch (sorted.kind) {
    case LineKind::kPublication:
      OnPublication(fd, line);
      return;
    case LineKind::kPing:
      ++pings_;
      Send(fd, conn, WsOpcode::kText, "{}");
      return;
    case LineKind::kReply:
      if (sorted.id == kConnectId && conn.state == State::kConnecting) {
        conn.state = State::kSubscribing;
        Send(fd, conn, WsOpcode::kText, subscribe_command_);
      } else if (sorted.id == kSubscribeId &&
                 conn.state == State::kSubscribing) {
        Subscribed(conn);
      }
      return;
    case LineKind::kErrorReply:
      ++protocol_errors_;
      if (conn.state != State::kSubscribed) Close(fd, conn, -4);
      return;
    case LineKind::kOtherPush:
      return;
    case LineKind::kUnknown:
      ++protocol_errors_;
      return;
  }
}

void Worker::OnPublication(int fd, std::string_view payload) {
  if (!measuring_) return;
  int64_t sent_ns = 0;
  const bool timed = ExtractSendNanos(payload, &sent_ns);
  // Push mode counts the bodies sent in the window, each once per
  // subscriber; at a large fan-out the warm-up body's frames may still be
  // arriving after "M", and counting them would hide missing ones.
  if (board_ != nullptr && timed && sent_ns < board_->WindowStart()) return;
  ++messages_;
  message_bytes_ += payload.size();
  if (board_ != nullptr) {
    slowest_.Count(fd);
    PublishProgress();
  }
  if (timed) {
    latency_.Record(batch_realtime_ns_ - sent_ns);
  } else {
    ++messages_without_time_;
  }
}

void Worker::PublishProgress() {
  board_->Publish(slice_.worker_index, slowest_.Min());
}

void Worker::Subscribed(Conn& conn) {
  conn.state = State::kSubscribed;
  ++subscribed_now_;
  ++subscribed_total_;
  --in_flight_;
  last_progress_ns_ = last_subscribed_ns_ = Now(CLOCK_MONOTONIC);
}

void Worker::Close(int fd, Conn& conn, int close_code) {
  if (conn.state == State::kSubscribed) {
    --subscribed_now_;
    ++disconnects_;
    if (measuring_) ++disconnects_measured_;
    if (board_ != nullptr) {
      // The pace follows the subscribers still there; the report marks
      // a run that lost one.
      slowest_.Remove(fd);
      if (measuring_) PublishProgress();
    }
  } else {
    ++connect_errors_;
    --in_flight_;
  }
  ++close_codes_[close_code];
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conn = Conn{};
}

void Worker::MaybeReportReady() {
  const int64_t now = Now(CLOCK_MONOTONIC);
  const bool all_done = next_ == slice_.count && in_flight_ == 0;
  const bool timed_out =
      now - start_ns_ > static_cast<int64_t>(options_.connect_timeout_s * 1e9);
  const bool stalled = now - last_progress_ns_ >
                       static_cast<int64_t>(options_.stall_timeout_s * 1e9);
  if (!all_done && !timed_out && !stalled) return;
  connect_phase_over_ = true;
  subscribed_at_ready_ = subscribed_now_;
  WriteReport("READY " + std::to_string(subscribed_now_) + "\n");
}

void Worker::OnControl() {
  char command[64];
  const ssize_t got = read(control_fd_, command, sizeof(command));
  if (got <= 0) {
    stop_ = true;  // the coordinator is gone
    return;
  }
  for (ssize_t i = 0; i < got; ++i) {
    if (command[i] == 'M') {
      measuring_ = true;
      if (board_ != nullptr) {
        for (size_t fd = 0; fd < conns_.size(); ++fd) {
          if (conns_[fd].state == State::kSubscribed) {
            slowest_.Add(static_cast<int>(fd));
          }
        }
        PublishProgress();
      }
      cpu_at_measure_start_ns_ = Now(CLOCK_PROCESS_CPUTIME_ID);
    } else if (command[i] == 'C') {
      // Push mode: the coordinator waits for every frame to arrive.
      WriteReport("COUNT " + std::to_string(messages_) + "\n");
    } else if (command[i] == 'S') {
      if (measuring_) {
        cpu_in_window_ns_ =
            Now(CLOCK_PROCESS_CPUTIME_ID) - cpu_at_measure_start_ns_;
      }
      measuring_ = false;
      stop_ = true;
    }
  }
}

void Worker::WriteReport(const std::string& line) {
  WriteReportLine(report_fd_, line);
}

std::string Worker::ResultLine() const {
  loadgen::ResultLine result;
  auto add = [&result](std::string_view key, auto value) {
    result.Add(key, value);
  };

  add("subscribed_at_ready", subscribed_at_ready_);
  add("subscribed_end", subscribed_now_);
  add("subscribed_total", subscribed_total_);
  add("upgraded", upgraded_);
  add("connect_errors", connect_errors_);
  add("protocol_errors", protocol_errors_);
  add("disconnects", disconnects_);
  add("disconnects_measured", disconnects_measured_);
  add("messages", messages_);
  add("message_bytes", message_bytes_);
  add("reads", reads_);
  add("messages_without_time", messages_without_time_);
  add("pings", pings_);
  add("start_ns", start_ns_);
  add("last_subscribed_ns", last_subscribed_ns_);
  add("cpu_in_window_ns", cpu_in_window_ns_);
  result.AddCounts("closes", close_codes_);
  result.AddText("latency", latency_.Serialize());
  return result.text() + "\n";
}

}  // namespace

int RunWorker(const Options& options, WorkerSlice slice, int control_fd,
              int report_fd, ProgressBoard* board) {
  Worker worker(options, slice, control_fd, report_fd, board);
  return worker.Run();
}

}  // namespace runnel::loadgen
