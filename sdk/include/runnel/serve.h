// Serve: runs the plugin process the way a go-plugin host (Grafana, or the
// Runnel host) expects: checks the magic cookie, negotiates the protocol
// version, listens on a unix socket (or tcp when asked), prints the handshake
// line, serves the pluginv2 services that have a handler plus health and the
// controller, and returns when the host says Shutdown or on SIGTERM/SIGINT.
#ifndef RUNNEL_SERVE_H_
#define RUNNEL_SERVE_H_

#include <memory>

#include "runnel/async_stream.h"
#include "runnel/data.h"
#include "runnel/diagnostics.h"
#include "runnel/instance_manager.h"
#include "runnel/metrics.h"
#include "runnel/resource.h"
#include "runnel/stream.h"

namespace runnel {

// The handlers a plugin provides. Every one is optional: a service with no
// handler is not registered, and the host's call answers Unimplemented.
// RunStream is served by run_stream (blocking, one thread per running
// stream) or by async_run_stream (callbacks and timers on a shared executor
// of stream_threads threads, for any number of streams); set at most one:
// Serve refuses to start (logs why, returns 1) when both are set.
struct ServeOptions {
  std::shared_ptr<QueryDataHandler> query_data;
  std::shared_ptr<CheckHealthHandler> check_health;
  // The plugin's own metrics, for Diagnostics.CollectMetrics (metrics.h).
  std::shared_ptr<MetricsRegistry> metrics;
  std::shared_ptr<CallResourceHandler> call_resource;
  std::shared_ptr<SubscribeStreamHandler> subscribe_stream;
  std::shared_ptr<PublishStreamHandler> publish_stream;
  std::shared_ptr<RunStreamHandler> run_stream;
  std::shared_ptr<AsyncRunStreamHandler> async_run_stream;
  // Threads that run every async_run_stream callback and timer, for all
  // streams together (values below 1 mean 1). Unused without
  // async_run_stream.
  int stream_threads = 2;
};

// ServeOptions whose handlers route every call to the data source's instance
// (see instance_manager.h). A call whose instance does not implement the
// handler answers Unimplemented. RunStream goes to the instance's blocking
// RunStreamHandler (run_stream is set); instances are not asked for an
// AsyncRunStreamHandler.
ServeOptions ManageInstances(InstanceFactory factory);

// Runs the plugin until it is told to stop. Returns the process exit code:
// 0 after a graceful stop, 1 when not started by a plugin host.
int Serve(ServeOptions options);

}  // namespace runnel

#endif  // RUNNEL_SERVE_H_
