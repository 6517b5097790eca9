// The HTTP endpoints that call a plugin (grafana pkg/api/api.go):
//   POST /api/ds/query                          ds_query.h
//   GET  /api/datasources/uid/:uid/health       health_check.h
//   *    /api/datasources/uid/:uid/resources/*  resource_call.h
//   *    /api/plugins/:id/resources/*           resource_call.h
//   GET  /metrics/plugins/:id                   plugin_metrics.h
// (* = GET, POST, PUT, PATCH, DELETE). Other paths under those prefixes are
// 404 {"message": "Not found"}. Requests are an anonymous Viewer of org 1,
// as WebSocket clients are until authentication exists.
// Thread-safety: the handlers run on I/O threads and never wait there; what
// they use is thread-safe and must outlive the server.
#ifndef RUNNEL_HOST_APP_QUERY_ROUTES_H_
#define RUNNEL_HOST_APP_QUERY_ROUTES_H_

#include <cstddef>

#include "live/server.h"
#include "query/ds_query.h"
#include "query/health_check.h"
#include "query/plugin_metrics.h"
#include "query/resource_call.h"

namespace runnel::host {

// A dashboard's query body is a few KB; 4 MiB leaves room for large
// query models (Grafana sets no limit of its own) while bounding memory.
inline constexpr size_t kQueryMaxBodyBytes = 4 * 1024 * 1024;
// Resource calls may upload files (e.g. a plugin's import endpoint).
inline constexpr size_t kResourceMaxBodyBytes = 16 * 1024 * 1024;
// A plugin's resource reply is streamed; this much may wait for a slow
// client before the plugin's stream is paused.
inline constexpr size_t kResourceMaxQueuedBytes = 1024 * 1024;

struct QueryRoutes {
  DataSourceQueries* queries = nullptr;
  DataSourceHealth* health = nullptr;
  ResourceCalls* resources = nullptr;
  PluginMetrics* metrics = nullptr;
};

void AddQueryRoutes(Server& server, const QueryRoutes& routes);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_QUERY_ROUTES_H_
