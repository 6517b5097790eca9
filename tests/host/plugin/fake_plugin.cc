// A minimal go-plugin-style plugin for supervisor tests: checks the cookie,
// writes its environment to $FAKE_PLUGIN_ENV_FILE, logs two stderr lines,
// serves plugin.GRPCController on a unix socket and prints the handshake.
// FAKE_PLUGIN_MODE=ignore_shutdown: the Shutdown RPC does nothing.
#include <grpcpp/grpcpp.h>
#include <stdlib.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "grpc_controller.grpc.pb.h"

extern char** environ;

namespace {

std::mutex mu;  // guards shutdown_requested
std::condition_variable cv;
bool shutdown_requested = false;

class Controller final : public plugin::GRPCController::Service {
 public:
  explicit Controller(bool ignore) : ignore_(ignore) {}
  grpc::Status Shutdown(grpc::ServerContext*, const plugin::Empty*,
                        plugin::Empty*) override {
    fprintf(stderr, "[INFO] Shutdown RPC received\n");
    fflush(stderr);
    if (!ignore_) {
      std::lock_guard<std::mutex> lock(mu);
      shutdown_requested = true;
      cv.notify_all();
    }
    return grpc::Status::OK;
  }

 private:
  bool ignore_;
};

const char* Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

}  // namespace

int main() {
  if (std::string(Env("grafana_plugin_type")) != "datasource") {
    fprintf(stderr, "This binary is a plugin. Run it from a host.\n");
    return 1;
  }
  if (*Env("FAKE_PLUGIN_ENV_FILE")) {
    std::ofstream out(Env("FAKE_PLUGIN_ENV_FILE"));
    for (char** e = environ; *e; ++e) out << *e << "\n";
  }
  fprintf(stderr,
          "{\"@level\":\"info\",\"@message\":\"fake plugin starting\","
          "\"@timestamp\":\"2024-01-01T00:00:00.000000Z\",\"pid\":\"%d\"}\n",
          static_cast<int>(getpid()));
  fprintf(stderr, "[WARN] fake warning %d\n", static_cast<int>(getpid()));
  fflush(stderr);

  char dir_template[] = "/tmp/fake-plugin-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string socket = dir + "/plugin.sock";
  Controller controller(std::string(Env("FAKE_PLUGIN_MODE")) ==
                        "ignore_shutdown");
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket, grpc::InsecureServerCredentials());
  builder.RegisterService(&controller);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    fprintf(stderr, "[ERROR] cannot listen on %s\n", socket.c_str());
    return 2;
  }
  printf("1|2|unix|%s|grpc|\n", socket.c_str());
  fflush(stdout);
  printf("a later stdout line that the host drops\n");
  fflush(stdout);
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [] { return shutdown_requested; });
  }
  fprintf(stderr, "[INFO] shutdown requested\n");
  fflush(stderr);
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(100));
  fprintf(stderr, "[INFO] server stopped\n");
  fflush(stderr);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
