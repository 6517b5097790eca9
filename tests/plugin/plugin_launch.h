// LaunchPlugin: starts a plugin executable as a go-plugin host would, reads
// its handshake line and dials the address with a gRPC channel.
// Thread-safety: none; for one test thread.
#ifndef RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_
#define RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugin_process.h"

namespace runnel_test {

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

}  // namespace runnel_test

#endif  // RUNNEL_TESTS_PLUGIN_PLUGIN_LAUNCH_H_
