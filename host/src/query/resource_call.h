// ResourceCalls: /api/datasources/uid/:uid/resources/* and
// /api/plugins/:id/resources/* passed to the plugin's CallResource (grafana
// pkg/api/plugin_resource.go): the method, the path after "resources/", the
// URL (that path plus "?query"), the request headers (without hop-by-hop
// ones and Host) and the body. The plugin's reply may be several
// CallResourceResponse messages: the first carries the status and headers,
// every one a piece of the body. The answer starts with the first message
// and each further piece is sent as it comes (chunked), so a long or endless
// reply reaches the client as the plugin produces it. A client that reads
// slower than the plugin writes holds at most max_queued_bytes: then the
// plugin's stream is read no further until the client catches up; a client
// that leaves cancels the call.
// The reply's headers pass through except Set-Cookie (Grafana drops it) and
// the framing ones the server writes itself; without a Content-Type it is
// application/json (as in Grafana), unless the status is 204.
// Errors, {"message"}: 404 unknown data source or plugin, or a plugin without
// CallResource ("Not found"); 503 plugin unavailable; 500 any other failure
// before the first message, or a reply with no message ("received empty
// resource response"). A call that fails after the first message cuts the
// connection (the client sees a truncated chunked body).
// Thread-safety: from any thread; `respond` is called exactly once, from the
// caller's thread, a worker or a gRPC thread. Borrows the router and the
// calls, which must outlive it.
#ifndef RUNNEL_HOST_QUERY_RESOURCE_CALL_H_
#define RUNNEL_HOST_QUERY_RESOURCE_CALL_H_

#include <cstddef>
#include <string>

#include "backend.pb.h"
#include "live/channel_handler.h"
#include "live/http_types.h"
#include "query/plugin_calls.h"
#include "stream/channel_router.h"

namespace runnel::host {

// The request headers as CallResourceRequest carries them: canonical names
// ("content-type" -> "Content-Type"), repeated ones as one list, without
// hop-by-hop headers and Host (exposed for tests).
void CopyRequestHeaders(const HttpRequest& request,
                        pluginv2::CallResourceRequest* out);
// The first reply message's status and headers as an HttpResponse with no
// body yet (exposed for tests).
HttpResponse ResponseHead(const pluginv2::CallResourceResponse& first);

class ResourceCalls {
 public:
  ResourceCalls(const ChannelRouter& router, PluginCalls& calls,
                size_t max_queued_bytes)
      : router_(router), calls_(calls), max_queued_bytes_(max_queued_bytes) {}

  void CallDataSource(const std::string& uid, std::string path,
                      HttpRequest request, const ClientIdentity& who,
                      HttpRespond respond);
  void CallPlugin(const std::string& id, std::string path, HttpRequest request,
                  const ClientIdentity& who, HttpRespond respond);

 private:
  class Reader;  // the gRPC reactor of one call

  void Call(const Route& route, std::string path, HttpRequest request,
            const ClientIdentity& who, HttpRespond respond);

  const ChannelRouter& router_;
  PluginCalls& calls_;
  const size_t max_queued_bytes_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_RESOURCE_CALL_H_
