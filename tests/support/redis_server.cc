#include "support/redis_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "support/wait_until.h"

namespace runnel::testing {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";
constexpr int kLaunchAttempts = 5;

// A port the kernel just handed out for loopback; free unless someone
// takes it before redis binds it (Launch then retries with another).
int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start(const Options& options) {
  std::unique_ptr<RedisServer> server(new RedisServer(options));
  std::string error;
  for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
    server->port_ = PickFreePort();
    if (server->port_ != 0 && server->Launch(&error)) return server;
  }
  ADD_FAILURE() << "redis-server did not start: " << error << "\n"
                << server->Log();
  return nullptr;
}

std::unique_ptr<RedisServer> RedisServer::StartSentinel(
    const std::string& master_name, int master_port, int quorum) {
  Options options;
  const std::string m = " " + master_name;
  options.sentinel_config =
      "sentinel monitor" + m + " 127.0.0.1 " + std::to_string(master_port) +
      " " + std::to_string(quorum) + "\n" + "sentinel down-after-milliseconds" +
      m + " 1000\n" + "sentinel failover-timeout" + m + " 3000\n" +
      "sentinel parallel-syncs" + m + " 1\n";
  return Start(options);
}

RedisServer::~RedisServer() { Stop(); }

std::vector<std::string> RedisServer::Argv() const {
  const std::string log = dir_.path() + "/redis.log";
  if (!options_.sentinel_config.empty()) {
    // Sentinel wants its settings in a file it can rewrite.
    std::string config = "port " + std::to_string(port_) +
                         "\nbind 127.0.0.1\nprotected-mode no\ndir " +
                         dir_.path() + "\nlogfile " + log + "\n" +
                         options_.sentinel_config;
    std::string path = dir_.Write("sentinel.conf", config);
    return {kRedisServer, path, "--sentinel"};
  }
  std::vector<std::string> argv = {
      kRedisServer, "--port",       std::to_string(port_),
      "--bind",     "127.0.0.1",    "--save",
      "",           "--appendonly", "no",
      "--dir",      dir_.path(),    "--logfile",
      log,          "--daemonize",  "no"};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--requirepass", options_.password});
  }
  argv.insert(argv.end(), options_.extra_args.begin(),
              options_.extra_args.end());
  return argv;
}

bool RedisServer::Launch(std::string* error) {
  ChildProcess::Options options;
  options.argv = Argv();
  options.stderr_path = dir_.path() + "/stderr.log";
  options.append_stderr = true;
  process_ = ChildProcess::Start(options, error);
  if (process_ == nullptr) return false;
  bool answered = WaitUntil(
      [&] {
        if (!process_->running()) return true;  // exited: port taken?
        std::optional<RespValue> pong = Query({"PING"});
        if (!pong.has_value() || pong->text != "PONG") return false;
        // Ours, not another server that got the port first.
        std::optional<RespValue> info = Query({"INFO", "server"});
        return info.has_value() &&
               info->text.find("process_id:" + std::to_string(process_->pid()) +
                               "\r\n") != std::string::npos;
      },
      std::chrono::seconds(10));
  if (answered && process_->running()) return true;
  *error = process_->running() ? "no PONG within 10 s" : "exited at start-up";
  process_.reset();  // kills and reaps
  return false;
}

void RedisServer::Stop() { process_.reset(); }

bool RedisServer::Restart() {
  Stop();
  std::string error;
  // The same port must be free again soon after the kill; a start that
  // lost a race for it exits and is tried again.
  for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
    if (Launch(&error)) return true;
  }
  ADD_FAILURE() << "redis-server did not restart on " << port_ << ": " << error
                << "\n"
                << Log();
  return false;
}

void RedisServer::Pause() {
  if (process_) process_->Signal(SIGSTOP);
}

void RedisServer::Resume() {
  if (process_) process_->Signal(SIGCONT);
}

std::optional<RespValue> RedisServer::Query(
    const std::vector<std::string>& args) const {
  return QueryRedis(port_, args, options_.password);
}

std::string RedisServer::Log() const {
  std::ifstream in(dir_.path() + "/redis.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace runnel::testing
