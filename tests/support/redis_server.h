// RedisServer: a real redis-server (or a Sentinel) for tests, on a free
// loopback port, in a temp dir of its own, persisting nothing. Start
// returns once it answers PING. The destructor kills it (SIGKILL), so a
// test that fails half-way leaves nothing running.
// Thread-safety: none; one test thread owns each object.
#ifndef RUNNEL_TESTS_SUPPORT_REDIS_SERVER_H_
#define RUNNEL_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/redis_query.h"
#include "support/temp_dir.h"

namespace runnel::testing {

class RedisServer {
 public:
  struct Options {
    std::string password;                 // --requirepass when set
    std::vector<std::string> extra_args;  // e.g. {"--replicaof", host, port}
    // A Sentinel instead: this config text (port, bind and dir are added),
    // written to a file the Sentinel may rewrite.
    std::string sentinel_config;
  };

  // A started server, or nullptr after an ADD_FAILURE saying why.
  static std::unique_ptr<RedisServer> Start(const Options& options);
  static std::unique_ptr<RedisServer> Start() { return Start(Options()); }
  // A Sentinel monitoring `master_name` at 127.0.0.1:master_port, quick to
  // act (down after 1 s, failover timeout 3 s).
  static std::unique_ptr<RedisServer> StartSentinel(
      const std::string& master_name, int master_port, int quorum);
  ~RedisServer();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  bool running() const { return process_ != nullptr; }

  void Stop();     // SIGKILL and reap
  bool Restart();  // Stop, then start again on the same port
  void Pause();    // SIGSTOP: open sockets, no answers
  void Resume();   // SIGCONT
  // A command on a fresh connection (with the password); nullopt when it
  // cannot be reached or does not answer in time.
  std::optional<RespValue> Query(const std::vector<std::string>& args) const;
  std::string Log() const;  // the server's log file so far

 private:
  explicit RedisServer(Options options) : options_(std::move(options)) {}
  // Starts on port_, waits for PING; false if it exited (port taken) or
  // never answered.
  bool Launch(std::string* error);
  std::vector<std::string> Argv() const;

  Options options_;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_REDIS_SERVER_H_
