// runnel: the host process. Loads the config (conf/defaults.ini, --config,
// RUNNEL_* environment variables) and the provisioned data sources, starts
// the plugins (in the background), the stream manager and the Live server,
// prints "Runnel listening on http://<addr>:<port>/" once it listens, and on
// SIGTERM or SIGINT shuts down (clients get 3001, plugin starts in progress
// are cancelled, streams stop, running plugins get the Shutdown RPC, then
// SIGKILL after the grace) and exits 0. A bad config, YAML file or data
// source type exits 1 with a message naming the file (and line or key).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "app/host.h"
#include "app/host_paths.h"
#include "config/config.h"
#include "config/provisioning.h"
#include "runnel/log.h"

namespace {

using runnel::Status;

// Written by the signal handler, read by main: the self-pipe.
int g_signal_pipe[2] = {-1, -1};

void OnSignal(int signo) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

bool InstallSignalHandlers() {
  if (pipe2(g_signal_pipe, O_CLOEXEC) != 0) return false;
  struct sigaction action = {};
  action.sa_handler = &OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  signal(SIGPIPE, SIG_IGN);
  return sigaction(SIGTERM, &action, nullptr) == 0 &&
         sigaction(SIGINT, &action, nullptr) == 0;
}

int WaitForSignal() {
  unsigned char byte = 0;
  while (true) {
    ssize_t n = read(g_signal_pipe[0], &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return 0;
  }
}

struct Flags {
  std::string config_file;
  std::string home_path;
  bool help = false;
  std::string error;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& name, std::string* out) {
      if (arg == name) {
        if (i + 1 >= args.size()) {
          flags.error = name + " needs a value";
          return true;
        }
        *out = args[++i];
        return true;
      }
      if (arg.rfind(name + "=", 0) == 0) {
        *out = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (arg == "-h" || arg == "--help") {
      flags.help = true;
    } else if (value("--config", &flags.config_file) ||
               value("--homepath", &flags.home_path)) {
    } else {
      flags.error = "unknown argument '" + arg + "'";
    }
    if (!flags.error.empty()) break;
  }
  return flags;
}

constexpr char kUsage[] =
    "usage: runnel [--config FILE] [--homepath DIR]\n"
    "  --config FILE    settings over conf/defaults.ini (grafana.ini style)\n"
    "  --homepath DIR   folder holding conf/ (default: the current folder,\n"
    "                   the install prefix, or the source tree)\n"
    "Environment variables RUNNEL_<SECTION>_<KEY> override both files.\n";

int Fail(const std::string& message) {
  std::cerr << "runnel: " << message << std::endl;
  runnel::log::Error("start-up failed", {{"error", message}});
  return 1;
}

// defaults.ini, the --config file and the environment, as the flags say;
// sets the log level and logs the config's warnings.
Status LoadConfigFor(const Flags& flags, runnel::host::Config* config) {
  runnel::host::ConfigSources sources;
  sources.executable_dir = runnel::host::ExecutableDir();
  sources.home_path = runnel::host::ResolveHomePath(
      flags.home_path, sources.executable_dir, RUNNEL_SOURCE_DIR);
  sources.config_file = flags.config_file;
  Status status = runnel::host::LoadConfig(sources, config);
  if (!status.ok()) return status;
  runnel::log::SetLevel(config->log.level);
  for (const std::string& warning : config->warnings) {
    runnel::log::Warn("config", {{"warning", warning}});
  }
  runnel::log::Info("config loaded",
                    {{"homepath", config->home_path},
                     {"plugins", config->paths.plugins},
                     {"provisioning", config->paths.provisioning}});
  return Status::Ok();
}

Status LoadProvisionedDataSources(
    const runnel::host::Config& config,
    std::vector<runnel::host::DataSource>* data_sources) {
  Status status =
      runnel::host::LoadDataSources(config.paths.provisioning, data_sources);
  if (!status.ok()) return status;
  for (const auto& ds : *data_sources) {
    runnel::log::Info("data source provisioned",
                      {{"name", ds.name}, {"uid", ds.uid}, {"type", ds.type}});
  }
  return Status::Ok();
}

// Where a browser on this machine finds the host.
std::string BrowserUrl(const runnel::host::Config& config, uint16_t port) {
  std::string addr = config.server.http_addr;
  if (addr.empty() || addr == "0.0.0.0" || addr == "::") addr = "localhost";
  if (addr.find(':') != std::string::npos) addr = "[" + addr + "]";
  return "http://" + addr + ":" + std::to_string(port) + "/";
}

// Publications are built and freed at a high rate: a pushed body of 1,000
// lines is ~100 KB in and a ~70 KB frame out, many times a second. With
// glibc's defaults, blocks that size are mmapped, or trimmed from a thread's
// arena with madvise, once freed, and the next publication faults the same
// pages in again: in the push benchmark that was ~6% of the host's CPU. Keep
// up to 16 MB of freed memory per arena for reuse instead; blocks over 4 MB
// (rare) still go straight back to the kernel.
void KeepFreedMemoryForReuse() {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  KeepFreedMemoryForReuse();
  Flags flags = ParseFlags(argc, argv);
  if (flags.help) {
    std::cout << kUsage;
    return 0;
  }
  if (!flags.error.empty()) {
    std::cerr << "runnel: " << flags.error << "\n" << kUsage;
    return 2;
  }
  if (!InstallSignalHandlers()) {
    return Fail(std::string("cannot install signal handlers: ") +
                std::strerror(errno));
  }

  runnel::host::Config config;
  Status status = LoadConfigFor(flags, &config);
  if (!status.ok()) return Fail(status.message());
  std::vector<runnel::host::DataSource> data_sources;
  status = LoadProvisionedDataSources(config, &data_sources);
  if (!status.ok()) return Fail(status.message());

  runnel::host::Host host;
  status = host.Start(config, std::move(data_sources));
  if (!status.ok()) {
    host.Shutdown();
    return Fail(status.message());
  }
  std::cout << "Runnel listening on " << BrowserUrl(config, host.port())
            << std::endl;

  int signo = WaitForSignal();
  runnel::log::Info("shutting down",
                    {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
  host.Shutdown();
  runnel::log::Info("stopped");
  return 0;
}
