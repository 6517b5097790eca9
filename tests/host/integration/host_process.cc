#include "host_process.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"
#include "support/wait_until.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using ::runnel::testing::ChildProcess;

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

HostOptions TestdataHost(std::string extra_ini) {
  HostOptions options;
  options.with_testdata = true;
  options.provision_testdata = true;
  options.wait_for_plugins = true;
  options.extra_ini = std::move(extra_ini);
  return options;
}

}  // namespace

HostProcess::HostProcess(std::string extra_ini)
    : HostProcess(TestdataHost(std::move(extra_ini))) {}

HostProcess::HostProcess(HostOptions options) : options_(std::move(options)) {
  fs::create_directories(fs::path(dir()) / "plugins");
  fs::create_directories(fs::path(dir()) / "provisioning" / "datasources");
  if (options_.with_testdata) {
    fs::create_directory_symlink(fs::path(RUNNEL_PLUGINS_DIR) / "testdata",
                                 fs::path(dir()) / "plugins" / "testdata");
  }
  if (options_.provision_testdata) {
    WriteFile("provisioning/datasources/testdata.yaml",
              "apiVersion: 1\n"
              "datasources:\n"
              "  - name: TestData\n"
              "    type: testdata\n"
              "    uid: testdata\n"
              "    isDefault: true\n");
  }
  WriteFile("runnel.ini",
            "[server]\n"
            "http_addr = 127.0.0.1\n"
            "http_port = 0\n"
            "root_url = http://127.0.0.1:3000/\n"
            "[paths]\n"
            "plugins = " +
                dir() +
                "/plugins\n"
                "provisioning = " +
                dir() +
                "/provisioning\n"
                "[log]\n"
                "level = info\n" +
                options_.extra_ini + "\n");
}

HostProcess::~HostProcess() {
  process_.reset();  // SIGKILL and reap, before the folder goes
}

void HostProcess::WriteFile(const std::string& relative,
                            const std::string& text) const {
  WriteText(fs::path(dir()) / relative, text);
}

std::string HostProcess::AddScriptPlugin(const std::string& id,
                                         const std::string& body) {
  fs::path folder = fs::path(dir()) / "plugins" / id;
  JSON manifest = {{"type", "datasource"},
                   {"name", id},
                   {"id", id},
                   {"backend", true},
                   {"executable", "plugin"}};
  WriteText(folder / "plugin.json", manifest.dump() + "\n");
  WriteText(folder / "plugin", "#!/bin/sh\n" + body + "\n");
  chmod((folder / "plugin").c_str(), 0755);
  return folder.string();
}

bool HostProcess::Start(std::string* error) {
  return Start(error, options_.wait_for_plugins ? std::chrono::seconds(30)
                                                : std::chrono::seconds(5));
}

bool HostProcess::Start(std::string* error, std::chrono::milliseconds timeout) {
  ChildProcess::Options spawn;
  spawn.argv = {RUNNEL_HOST_BINARY, "--homepath", RUNNEL_SOURCE_DIR, "--config",
                options_.config_path.empty() ? dir() + "/runnel.ini"
                                             : options_.config_path};
  spawn.inherit_env = true;
  if (!options_.tmpdir.empty()) spawn.env["TMPDIR"] = options_.tmpdir;
  spawn.stderr_path = dir() + "/host.log";
  spawn.append_stderr = true;
  const auto spawned = Clock::now();
  const auto deadline = spawned + timeout;
  process_ = ChildProcess::Start(spawn, error);
  if (!process_) return false;

  static const std::regex kListening(
      R"(Runnel listening on http://[^\s]+:(\d+)/)");
  std::string text;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    std::optional<std::string> line =
        process_->ReadStdoutLine(std::max(left, std::chrono::milliseconds(0)));
    if (!line) break;  // time-out, or stdout closed: the host exited
    text += *line + "\n";
    std::smatch match;
    if (std::regex_search(*line, match, kListening)) {
      port_ = static_cast<uint16_t>(std::stoi(match[1]));
      time_to_listen_ = std::chrono::duration_cast<std::chrono::milliseconds>(
          Clock::now() - spawned);
      return !options_.wait_for_plugins || WaitForPlugins(deadline, error);
    }
  }
  if (std::optional<int> status =
          process_->WaitForStatus(std::chrono::milliseconds(0))) {
    *error = "host exited during start-up (status " + std::to_string(*status) +
             "):\n" + Log();
    return false;
  }
  *error = "host did not print its address within " +
           std::to_string(timeout.count()) + " ms; stdout: '" + text + "'\n" +
           Log();
  process_->Kill();
  return false;
}

bool HostProcess::WaitForPlugins(Clock::time_point deadline,
                                 std::string* error) {
  std::string body;  // the last answer, for the error
  auto all_running = [&] {
    HttpResult response = HttpGet(port_, "/api/health");
    body = response.body;
    if (response.status != 200) return false;
    JSON health = JSON::parse(body, nullptr, false);
    if (!health.is_object() || !health.contains("plugins")) return false;
    for (const JSON& plugin : health["plugins"]) {
      if (plugin.value("state", "") != "running") return false;
    }
    return true;
  };
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  if (WaitUntil(all_running, std::max(left, std::chrono::milliseconds(0)),
                std::chrono::milliseconds(100))) {
    return true;
  }
  *error =
      "the plugins did not reach \"running\" in time: " + body + "\n" + Log();
  return false;
}

int HostProcess::Signal(int signo, std::chrono::milliseconds timeout) {
  SendSignal(signo);
  return WaitExit(timeout);
}

void HostProcess::SendSignal(int signo) {
  if (process_) process_->Signal(signo);
}

int HostProcess::WaitExit(std::chrono::milliseconds timeout,
                          std::chrono::milliseconds* took) {
  if (!process_) return -1;
  const auto start = Clock::now();
  std::optional<int> status = process_->WaitForStatus(timeout);
  if (took != nullptr) {
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                  start);
  }
  if (!status) {
    process_->Kill();
    return -1;
  }
  return *status;
}

std::string HostProcess::Log() const {
  std::ifstream in(dir() + "/host.log", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<pid_t> ChildPids(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() ||
        name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...; comm may hold spaces: split after ')'.
    size_t close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != "Z") children.push_back(std::stoi(name));
  }
  return children;
}

bool ProcessAlive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close_paren = line.rfind(')');
  return close_paren != std::string::npos &&
         line.substr(close_paren + 2, 1) != "Z";
}

std::string PluginState(uint16_t port, const std::string& id,
                        std::string* last_error) {
  HttpResult response = HttpGet(port, "/api/health");
  if (response.status != 200) return "";
  JSON health = JSON::parse(response.body, nullptr, false);
  if (!health.is_object() || !health.contains("plugins")) return "";
  for (const JSON& plugin : health["plugins"]) {
    if (plugin.value("id", "") != id) continue;
    if (last_error != nullptr) *last_error = plugin.value("lastError", "");
    return plugin.value("state", "");
  }
  return "";
}

}  // namespace runnel::host::testing
