// A tiny host for the no-orphan test: starts the plugin given as argv[1]
// with PluginProcess, prints the plugin's pid on stdout, then waits to be
// killed.
#include <unistd.h>

#include <cstdio>

#include "plugin/plugin_process.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  runnel::host::PluginProcessOptions options;
  options.plugin_id = "fake";
  options.executable_path = argv[1];
  options.log_sink = [](const runnel::host::PluginLogEntry&) {};
  std::unique_ptr<runnel::host::PluginProcess> process;
  runnel::Status s = runnel::host::PluginProcess::Start(options, &process);
  if (!s.ok()) {
    fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  printf("%d\n", static_cast<int>(process->pid()));
  fflush(stdout);
  while (true) pause();
}
