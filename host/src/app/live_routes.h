// The Grafana Live HTTP API beyond the WebSocket (grafana pkg/api/api.go,
// pkg/services/live pushhttp, pushws, live.go HandleHTTPPublish):
//   POST /api/live/publish          {"channel":"<scope/ns/path>","data":..}
//                                   -> {} or {"message":..} with 400, 403,
//                                   404, 413, 500
//   POST /api/live/push/:streamId   Influx line protocol -> 200, or 400 (with
//                                   line and column), 413, 503
//   GET  /api/live/push/:streamId   WebSocket: each message is a push body; a
//                                   refused one is answered with
//                                   {"status":400,"message":..}
//   GET  /api/live/list             the channels with subscribers on any
//                                   host (counted over the cluster) and the
//                                   kept ones:
//                                   {"channels":[{"channel","subscribers",
//                                   "data"?,"last_update_ms"?}]}
// Requests are an anonymous Viewer of org 1, as WebSocket clients are until
// authentication exists.
// Thread-safety: the handlers run on I/O threads; everything they use is
// thread-safe and must outlive the server.
#ifndef RUNNEL_HOST_APP_LIVE_ROUTES_H_
#define RUNNEL_HOST_APP_LIVE_ROUTES_H_

#include <cstddef>

#include "engine/engine.h"
#include "live/channel_handler.h"
#include "live/hub.h"
#include "live/server.h"
#include "push/managed_streams.h"

namespace runnel::host {

struct LiveRoutes {
  Hub* hub = nullptr;
  ChannelHandler* channels = nullptr;  // the scope router
  Engine* engine = nullptr;            // cluster counts and the kept messages
  ManagedStreams* managed_streams = nullptr;
  size_t push_max_body_bytes = 16 * 1024 * 1024;
};

void AddLiveRoutes(Server& server, const LiveRoutes& routes);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_LIVE_ROUTES_H_
