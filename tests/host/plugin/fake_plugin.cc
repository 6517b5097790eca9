// A minimal go-plugin-style plugin for supervisor tests: checks the cookie,
// writes its environment to $FAKE_PLUGIN_ENV_FILE, logs two stderr lines,
// serves plugin.GRPCController on a unix socket (in PLUGIN_UNIX_SOCKET_DIR
// when set) and prints the handshake.
// FAKE_PLUGIN_MODE=ignore_shutdown: the Shutdown RPC does nothing.
// It also serves pluginv2.Stream with paths that misbehave on purpose, for
// the stream manager's tests:
//   Subscribe: "denied" PERMISSION_DENIED, "missing" NOT_FOUND,
//              "bad-initial" OK with non-JSON data, else OK {"schema":{}}.
//   Run: "clean-end" two packets then OK; "error" fails at once;
//        "invalid" one non-JSON packet; anything else {"n":i} every 20 ms.
//   Publish: "echo" OK with the request data, "silent" OK without data,
//            else PERMISSION_DENIED.
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
#include <thread>

#include "backend.grpc.pb.h"
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

class Streams final : public pluginv2::Stream::Service {
 public:
  grpc::Status SubscribeStream(
      grpc::ServerContext*, const pluginv2::SubscribeStreamRequest* request,
      pluginv2::SubscribeStreamResponse* response) override {
    const std::string& path = request->path();
    if (path == "denied") {
      response->set_status(
          pluginv2::SubscribeStreamResponse::PERMISSION_DENIED);
    } else if (path == "missing") {
      response->set_status(pluginv2::SubscribeStreamResponse::NOT_FOUND);
    } else if (path == "bad-initial") {
      response->set_data("not json");
    } else {
      response->set_data("{\"schema\":{}}");
    }
    return grpc::Status::OK;
  }

  grpc::Status RunStream(
      grpc::ServerContext* context, const pluginv2::RunStreamRequest* request,
      grpc::ServerWriter<pluginv2::StreamPacket>* writer) override {
    const std::string& path = request->path();
    pluginv2::StreamPacket packet;
    if (path == "error") {
      return grpc::Status(grpc::StatusCode::INTERNAL, "boom");
    }
    if (path == "clean-end") {
      for (int i = 1; i <= 2; ++i) {
        packet.set_data("{\"n\":" + std::to_string(i) + "}");
        writer->Write(packet);
      }
      return grpc::Status::OK;
    }
    if (path == "invalid") {
      packet.set_data("this is not JSON");
      writer->Write(packet);
    }
    for (int i = 0; !context->IsCancelled(); ++i) {
      packet.set_data("{\"n\":" + std::to_string(i) + "}");
      if (path != "invalid" && !writer->Write(packet)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return grpc::Status::OK;
  }

  grpc::Status PublishStream(
      grpc::ServerContext*, const pluginv2::PublishStreamRequest* request,
      pluginv2::PublishStreamResponse* response) override {
    if (request->path() == "echo") {
      response->set_data(request->data());
    } else if (request->path() != "silent") {
      response->set_status(pluginv2::PublishStreamResponse::PERMISSION_DENIED);
    }
    return grpc::Status::OK;
  }
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

  // As go-plugin's server does (server.go serverListener_unix): a temp name
  // in PLUGIN_UNIX_SOCKET_DIR when the host sets it; else a folder of its own.
  std::string dir, socket;
  if (*Env("PLUGIN_UNIX_SOCKET_DIR")) {
    socket = std::string(Env("PLUGIN_UNIX_SOCKET_DIR")) + "/pluginXXXXXX";
    int fd = mkstemp(socket.data());
    if (fd < 0) return 2;
    close(fd);
    unlink(socket.c_str());
  } else {
    char dir_template[] = "/tmp/fake-plugin-XXXXXX";
    dir = mkdtemp(dir_template);
    socket = dir + "/plugin.sock";
  }
  Controller controller(std::string(Env("FAKE_PLUGIN_MODE")) ==
                        "ignore_shutdown");
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket, grpc::InsecureServerCredentials());
  builder.RegisterService(&controller);
  Streams streams;
  builder.RegisterService(&streams);
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
  std::filesystem::remove(socket, ec);
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  return 0;
}
