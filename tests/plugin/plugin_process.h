// What the plugin tests need to start a plugin the way a go-plugin host
// does: the env Grafana gives it, and PluginProcess (the shared
// ChildProcess: explicit env, stdout on a pipe for the handshake line,
// stderr in a file; killed and reaped when destroyed).
// Thread-safety: none; one test thread owns each object.
#ifndef RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_
#define RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_

#include <map>
#include <string>

#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace runnel::testing {

using PluginProcess = ::runnel::testing::ChildProcess;
using ::runnel::testing::TempDir;
using ::runnel::testing::WaitUntil;

// The env Grafana gives a plugin (docs/plugin-protocol.md#host-env), with the
// socket dir set.
std::map<std::string, std::string> GrafanaPluginEnv(
    const std::string& socket_dir);

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_
