#include "support/redis_query.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace runnel::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string Encode(const std::vector<std::string>& args) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict) on "*" + to_string().
  std::string out(1, '*');
  out.append(std::to_string(args.size())).append("\r\n");
  for (const std::string& arg : args) {
    out.append(1, '$').append(std::to_string(arg.size())).append("\r\n");
    out.append(arg).append("\r\n");
  }
  return out;
}

// Parses one reply from buffer[*pos]; false when the buffer holds only part
// of it (then *pos is unspecified).
bool Parse(const std::string& buffer, size_t* pos, RespValue* value) {
  size_t end = buffer.find("\r\n", *pos);
  if (end == std::string::npos || end == *pos) return false;
  value->type = buffer[*pos];
  std::string line = buffer.substr(*pos + 1, end - *pos - 1);
  *pos = end + 2;
  if (value->type == '$' || value->type == '*') {
    long count = std::strtol(line.c_str(), nullptr, 10);
    if (count < 0) {
      value->nil = true;
      return true;
    }
    if (value->type == '$') {
      if (buffer.size() < *pos + count + 2) return false;
      value->text = buffer.substr(*pos, count);
      *pos += count + 2;
      return true;
    }
    value->elements.resize(count);
    for (RespValue& element : value->elements) {
      if (!Parse(buffer, pos, &element)) return false;
    }
    return true;
  }
  value->text = line;
  return true;
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, events, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

// Sends `request` and reads `replies` replies; the last one.
std::optional<RespValue> Exchange(int fd, const std::string& request,
                                  int replies, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return std::nullopt;
    ssize_t n =
        ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return std::nullopt;
    sent += static_cast<size_t>(n);
  }
  std::string buffer;
  while (true) {
    size_t pos = 0;
    RespValue value;
    int parsed = 0;
    while (parsed < replies && Parse(buffer, &pos, &value)) {
      if (++parsed < replies) value = RespValue();
    }
    if (parsed == replies) return value;
    if (!WaitFor(fd, POLLIN, deadline)) return std::nullopt;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

std::optional<RespValue> QueryRedis(int port,
                                    const std::vector<std::string>& args,
                                    const std::string& password,
                                    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address),
                sizeof address) != 0) {
    return std::nullopt;
  }
  std::string request;
  int replies = 1;
  if (!password.empty()) {
    request = Encode({"AUTH", password});
    replies = 2;
  }
  request += Encode(args);
  return Exchange(socket.fd(), request, replies, deadline);
}

}  // namespace runnel::testing
