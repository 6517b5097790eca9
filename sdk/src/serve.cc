// Serve(): the plugin process's main loop (hashicorp/go-plugin server.go;
// docs/plugin-protocol.md#plugin-startup). Order matters: cookie, version,
// signals, listen, then the one handshake line on stdout, then stdout is
// pointed at stderr so nothing else can reach the host's handshake reader. A
// stop (Shutdown RPC, SIGTERM, SIGINT) cancels running RunStreams, shuts the
// server down with a short grace period and removes the socket file.
#include "runnel/serve.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "controller_service.h"
#include "data_adapter.h"
#include "diagnostics_adapter.h"
#include "executor.h"
#include "handshake.h"
#include "health_service.h"
#include "resource_adapter.h"
#include "runnel/log.h"
#include "serve_lifetime.h"
#include "signal_watcher.h"
#include "stdio_service.h"
#include "stream_adapter.h"

namespace runnel {
namespace {

using internal::ServeLifetime;

// Largest request the plugin accepts (go-plugin hosts send up to 2 GiB; a
// query or resource body larger than this is refused with
// RESOURCE_EXHAUSTED).
constexpr int kMaxReceiveMessageBytes = 64 * 1024 * 1024;
// How long in-flight calls get to finish once a stop was requested; a
// go-plugin host kills the process 2 s after Shutdown.
constexpr std::chrono::milliseconds kShutdownGrace{500};
// Tcp ports tried when the bind races with another process.
constexpr int kMaxBindAttempts = 20;

// The gRPC services for one server, made from the author's handlers: only
// the pluginv2 services with a handler, plus health, controller and stdio.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(
    const ServeOptions& options, internal::Executor* stream_executor,
    ServeLifetime* lifetime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  if (options.query_data) {
    services.push_back(
        std::make_unique<internal::DataAdapter>(options.query_data));
  }
  if (options.check_health || options.metrics) {
    services.push_back(std::make_unique<internal::DiagnosticsAdapter>(
        options.check_health, options.metrics));
  }
  if (options.call_resource) {
    services.push_back(
        std::make_unique<internal::ResourceAdapter>(options.call_resource));
  }
  if (options.subscribe_stream || options.publish_stream ||
      options.run_stream || options.async_run_stream) {
    services.push_back(std::make_unique<internal::StreamAdapter>(
        options.subscribe_stream, options.publish_stream,
        internal::StreamAdapter::RunHandlers{
            options.run_stream, options.async_run_stream, stream_executor},
        lifetime));
  }
  services.push_back(std::make_unique<internal::HealthService>(lifetime));
  services.push_back(std::make_unique<internal::ControllerService>(lifetime));
  services.push_back(std::make_unique<internal::StdioService>(lifetime));
  return services;
}

// A started server with the services it serves (they must outlive it).
struct RunningServer {
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<grpc::Server> server;
  handshake::ListenAddress address;
};

Status StartServer(const ServeOptions& options,
                   const handshake::ListenPlan& plan,
                   internal::Executor* stream_executor, ServeLifetime* lifetime,
                   RunningServer* running) {
  int next_port = plan.min_port;
  Status last_error = Status::Unavailable("the server did not start");
  for (int attempt = 0; attempt < kMaxBindAttempts; ++attempt) {
    handshake::ListenAddress address;
    Status status = handshake::NextListenAddress(plan, &next_port, &address);
    if (!status.ok()) return status;
    std::vector<std::unique_ptr<grpc::Service>> services =
        MakeServices(options, stream_executor, lifetime);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address.grpc_uri,
                             grpc::InsecureServerCredentials());
    builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
    for (auto& service : services) builder.RegisterService(service.get());
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (server) {
      running->services = std::move(services);
      running->server = std::move(server);
      running->address = std::move(address);
      return Status::Ok();
    }
    last_error =
        Status::Unavailable("gRPC could not listen on " + address.grpc_uri);
    if (plan.network == handshake::ListenPlan::Network::kUnix) {
      ::unlink(address.socket_path.c_str());
    }
  }
  return last_error;
}

// Points fd 1 at stderr for good, then prints the handshake line on the
// original stdout. In this order because the host calls the plugin as soon
// as it has read the line: sealing after the write would let an author's
// print reach the host's handshake reader while this thread is descheduled.
void WriteHandshakeAndSealStdout(const handshake::ListenAddress& address,
                                 int version) {
  std::cout.flush();
  std::fflush(stdout);
  const int handshake_fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  std::string line = handshake::FormatHandshakeLine(
      handshake::kCoreProtocolVersion, version, address.network,
      address.address, handshake::kProtocolName);
  line += '\n';
  const int fd = handshake_fd >= 0 ? handshake_fd : STDERR_FILENO;
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  if (handshake_fd >= 0) ::close(handshake_fd);
}

// What must hold before anything starts: the options are coherent, the
// host's magic cookie is there, a protocol version is agreed and the
// listener settings are valid. False (said on stderr) means exit 1.
bool CheckStartup(const ServeOptions& options, int* version,
                  handshake::ListenPlan* plan) {
  if (options.run_stream && options.async_run_stream) {
    log::Error(
        "ServeOptions sets both run_stream and async_run_stream; set one");
    return false;
  }
  const handshake::EnvLookup env = handshake::ProcessEnv();
  if (!handshake::CookieMatches(env)) {
    std::fprintf(stderr, "%.*s\n",
                 static_cast<int>(handshake::kNotAPluginMessage.size()),
                 handshake::kNotAPluginMessage.data());
    return false;
  }
  Status status = handshake::NegotiateProtocolVersion(
      env(handshake::kEnvProtocolVersions).value_or(""),
      {handshake::kAppProtocolVersion}, version);
  if (!status.ok()) {
    log::Error("plugin protocol negotiation failed",
               {{"error", status.message()}});
    return false;
  }
  status = handshake::PlanListener(env, plan);
  if (!status.ok()) {
    log::Error("invalid listener settings", {{"error", status.message()}});
    return false;
  }
  return true;
}

// Stops taking calls, gives running ones kShutdownGrace, and removes the
// unix socket.
void StopServer(RunningServer& running) {
  running.server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  log::Debug("plugin server shut down");
  running.server->Wait();
  running.server.reset();
  if (!running.address.socket_path.empty()) {
    ::unlink(running.address.socket_path.c_str());
  }
}

}  // namespace

int Serve(ServeOptions options) {
  int version = 0;
  handshake::ListenPlan plan;
  if (!CheckStartup(options, &version, &plan)) return 1;

  // A host that goes away must not kill the plugin through SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  ServeLifetime lifetime;
  internal::SignalWatcher signals(&lifetime);
  Status status = signals.Start();
  if (!status.ok()) {
    log::Error("cannot watch signals", {{"error", status.message()}});
    return 1;
  }

  // Runs every async stream's callbacks and timers; declared before the
  // server so that it outlives every call (destroyed after it).
  std::unique_ptr<internal::Executor> stream_executor;
  if (options.async_run_stream) {
    stream_executor =
        std::make_unique<internal::Executor>(options.stream_threads);
  }
  RunningServer running;
  status =
      StartServer(options, plan, stream_executor.get(), &lifetime, &running);
  if (!status.ok()) {
    log::Error("cannot start the plugin server", {{"error", status.message()}});
    return 1;
  }
  WriteHandshakeAndSealStdout(running.address, version);
  log::Debug("plugin serving", {{"network", running.address.network},
                                {"address", running.address.address}});

  const std::string reason = lifetime.WaitForStop();
  log::Debug("plugin stopping", {{"reason", reason}});
  StopServer(running);
  log::Debug("plugin stopped");
  return 0;
}

}  // namespace runnel
