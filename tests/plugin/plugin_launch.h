// LaunchPlugin: starts a plugin executable as a go-plugin host would, reads
// its handshake line and dials the address with a gRPC channel.
// LaunchedPluginTest: a fixture that launches one plugin per test, in its
// own temp dir with Grafana's env, and runs streams on it.
// Thread-safety: none; for one test thread.
#ifndef RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_
#define RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend.grpc.pb.h"
#include "gtest/gtest.h"
#include "plugin_process.h"

namespace runnel::testing {

struct LaunchedPlugin {
  std::unique_ptr<PluginProcess> process;  // killed + reaped on destruction
  std::string handshake;                   // the whole first stdout line
  std::string network;                     // "unix" or "tcp"
  std::string address;                     // socket path or host:port
  std::shared_ptr<grpc::Channel> channel;  // connected
};

// Splits "a|b|c" on `sep`, keeping empty parts.
std::vector<std::string> SplitLine(const std::string& s, char sep);

// Starts `executable` with `env` (stderr to <dir>/stderr.log), waits up to
// 20 s for the handshake and 10 s for the connection.
::testing::AssertionResult LaunchPlugin(
    const std::string& executable,
    const std::map<std::string, std::string>& env, const std::string& dir,
    LaunchedPlugin* out);

class LaunchedPluginTest : public ::testing::Test {
 protected:
  // `executable` is launched in SetUp; RunToEnd calls end at the latest
  // after `run_deadline`.
  LaunchedPluginTest(std::string executable,
                     std::chrono::milliseconds run_deadline)
      : executable_(std::move(executable)), run_deadline_(run_deadline) {}

  void SetUp() override;

  // Runs a stream to its end; returns the packets and the final status.
  grpc::Status RunToEnd(const std::string& path,
                        std::vector<std::string>* packets);

  // The first stderr line holding `text`, waiting up to 10 s for it ("" if
  // none came).
  std::string WaitForLogLine(const std::string& text);

  TempDir dir_;
  LaunchedPlugin plugin_;
  std::unique_ptr<pluginv2::Stream::Stub> stream_;

 private:
  const std::string executable_;
  const std::chrono::milliseconds run_deadline_;
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_
