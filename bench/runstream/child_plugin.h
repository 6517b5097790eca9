// ChildPlugin: a plugin process started the way a go-plugin host starts it
// (cookie, PLUGIN_PROTOCOL_VERSIONS=2, a temp socket dir), its handshake
// line read, and killed + reaped on destruction.
// Thread-safety: none; owned by the benchmark's main thread.
#ifndef RUNNEL_BENCH_RUNSTREAM_CHILD_PLUGIN_H_
#define RUNNEL_BENCH_RUNSTREAM_CHILD_PLUGIN_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace runnel::bench {

class ChildPlugin {
 public:
  // Starts `argv[0]` with the host env plus `extra_env`; waits up to 20 s
  // for the handshake. nullptr and *error on failure.
  static std::unique_ptr<ChildPlugin> Start(
      const std::vector<std::string>& argv,
      const std::map<std::string, std::string>& extra_env, std::string* error);
  ~ChildPlugin();

  // The gRPC target from the handshake line ("unix:/path" or "host:port").
  const std::string& target() const { return target_; }
  pid_t pid() const { return pid_; }

 private:
  ChildPlugin() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string socket_dir_;
  std::string target_;
};

}  // namespace runnel::bench

#endif  // RUNNEL_BENCH_RUNSTREAM_CHILD_PLUGIN_H_
