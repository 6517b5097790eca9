// DataSourceQueries: POST /api/ds/query (grafana pkg/api/ds_query.go
// QueryMetricsV2 and pkg/services/query/query.go). The body is read
// (query_request.h), the queries are grouped by data source, each group
// goes to its data source's plugin as one QueryData (format ARROW, as
// Grafana asks) and the frames come back as frame JSON (data_response.h):
//   200 {"results": {..}}            every query succeeded
//   207 / 400 {"results": {..}}      some / all failed (query_results.h)
//   400 {"message"}                  a malformed body, no queries, a query
//                                    without a data source uid
//   404 {"message"}                  an unknown data source uid (Grafana's
//                                    ErrDataSourceNotFound: the whole
//                                    request, before any plugin is called)
//   503 / 504 / 500 {"message"}      the only data source's plugin is not
//                                    running, did not answer in time, or
//                                    the call failed (Grafana answers the
//                                    whole request with the error when all
//                                    queries go to one data source); with
//                                    several data sources the failure goes
//                                    into each of that group's refIds.
// Thread-safety: Query from any thread; `respond` is called exactly once,
// from the caller's thread, a worker or a gRPC thread. Borrows the router
// and the calls, which must outlive it (PluginCalls::Shutdown first).
#ifndef RUNNEL_HOST_QUERY_DS_QUERY_H_
#define RUNNEL_HOST_QUERY_DS_QUERY_H_

#include <string_view>

#include "live/channel_handler.h"
#include "live/http_types.h"
#include "query/plugin_calls.h"
#include "stream/channel_router.h"

namespace runnel::host {

class DataSourceQueries {
 public:
  DataSourceQueries(const ChannelRouter& router, PluginCalls& calls)
      : router_(router), calls_(calls) {}

  void Query(std::string_view body, const ClientIdentity& who,
             HttpRespond respond);

 private:
  struct Gather;     // the whole request until its answer
  struct GroupCall;  // one data source's QueryData

  void Send(const std::shared_ptr<GroupCall>& call,
            const PluginConnection& connection);
  void OnReply(const std::shared_ptr<GroupCall>& call, const grpc::Status& rpc);
  // The group's refIds all fail with `status` and `message`.
  void GroupFailed(const std::shared_ptr<GroupCall>& call, int status,
                   const std::string& message);

  const ChannelRouter& router_;
  PluginCalls& calls_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_DS_QUERY_H_
