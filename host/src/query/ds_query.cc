#include "query/ds_query.h"

#include <absl/synchronization/mutex.h>

#include <chrono>
#include <map>
#include <vector>

#include "backend.grpc.pb.h"
#include "query/data_response.h"
#include "query/query_request.h"
#include "query/query_results.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

pluginv2::DataQuery ToProto(const ParsedQuery& query, int64_t from_ms,
                            int64_t to_ms) {
  pluginv2::DataQuery out;
  out.set_refid(query.ref_id);
  out.set_maxdatapoints(query.max_data_points);
  out.set_intervalms(query.interval_ms);
  out.mutable_timerange()->set_fromepochms(from_ms);
  out.mutable_timerange()->set_toepochms(to_ms);
  out.set_json(query.json);
  out.set_querytype(query.query_type);
  return out;
}

}  // namespace

struct DataSourceQueries::Gather {
  Gather(HttpRespond r, size_t groups)
      : respond(std::move(r)), single_group(groups == 1), pending(groups) {}

  // Records one group's outcome (whole_status != 0: its RPC failed); answers
  // once the last one is in.
  void Done(QueryResults group_results, int whole_status = 0,
            std::string whole_error = "") {
    QueryResults all;
    {
      absl::MutexLock lock(&mu);
      for (auto& [ref_id, result] : group_results) {
        results[ref_id] = std::move(result);
      }
      if (--pending > 0) return;
      all = std::move(results);
    }
    // One data source whose call failed: the whole request fails, as in
    // Grafana's handleQuerySingleDatasource.
    if (single_group && whole_status != 0) {
      return respond(JSONErrorResponse(whole_status, whole_error));
    }
    HttpResponse response;
    response.status = QueryHttpStatus(all);
    response.body = QueryResultsJSON(all);
    respond(std::move(response));
  }

  const HttpRespond respond;
  const bool single_group;
  absl::Mutex mu;
  size_t pending ABSL_GUARDED_BY(mu);
  QueryResults results ABSL_GUARDED_BY(mu);
};

struct DataSourceQueries::GroupCall {
  std::shared_ptr<Gather> gather;
  std::string uid;
  Supervisor* plugin = nullptr;
  std::string plugin_id;
  std::vector<std::string> ref_ids;
  pluginv2::QueryDataRequest request;
  pluginv2::QueryDataResponse response;
  std::shared_ptr<grpc::ClientContext> context;
};

void DataSourceQueries::Query(std::string_view body, const ClientIdentity& who,
                              HttpRespond respond) {
  QueryRequest request;
  Status parsed = ParseQueryRequest(body, NowMs(), &request);
  if (!parsed.ok()) return respond(JSONErrorResponse(400, parsed.message()));
  std::map<std::string, std::vector<size_t>> groups =
      GroupByDataSource(request);
  std::vector<std::shared_ptr<GroupCall>> calls;
  for (const auto& [uid, indexes] : groups) {
    Route route;
    Status found = router_.ResolveDataSource(uid, &route);
    if (!found.ok()) {
      log::Debug("ds query refused", {{"reason", found.message()}});
      return respond(JSONErrorResponse(404, "Data source not found: " + uid));
    }
    auto call = std::make_shared<GroupCall>();
    call->uid = uid;
    call->plugin = route.plugin;
    call->plugin_id = route.plugin->id();
    *call->request.mutable_plugincontext() =
        router_.MakePluginContext(route, who);
    call->request.set_format(pluginv2::ARROW);
    for (size_t index : indexes) {
      const ParsedQuery& query = request.queries[index];
      *call->request.add_queries() =
          ToProto(query, request.from_ms, request.to_ms);
      call->ref_ids.push_back(query.ref_id);
    }
    calls.push_back(std::move(call));
  }
  auto gather = std::make_shared<Gather>(std::move(respond), calls.size());
  for (const std::shared_ptr<GroupCall>& call : calls) {
    call->gather = gather;
    calls_.WhenRunning(call->plugin, [this, call](PluginConnection connection) {
      Send(call, connection);
    });
  }
}

void DataSourceQueries::Send(const std::shared_ptr<GroupCall>& call,
                             const PluginConnection& connection) {
  if (!connection.channel) {
    return GroupFailed(
        call, 503,
        "Plugin unavailable: " + call->plugin_id + " is not running");
  }
  call->context = calls_.Begin();
  if (!call->context) {
    return GroupFailed(call, 503, "Plugin unavailable: the host is stopping");
  }
  pluginv2::Data::NewStub(connection.channel)
      ->async()
      ->QueryData(call->context.get(), &call->request, &call->response,
                  [this, call](grpc::Status rpc) {
                    std::shared_ptr<grpc::ClientContext> context =
                        call->context;
                    OnReply(call, rpc);
                    calls_.End(context);  // last: Shutdown may return now
                  });
}

void DataSourceQueries::OnReply(const std::shared_ptr<GroupCall>& call,
                                const grpc::Status& rpc) {
  if (!rpc.ok()) {
    return GroupFailed(call, HttpStatusForRpc(rpc),
                       "QueryData on plugin " + call->plugin_id +
                           " failed: " + rpc.error_message());
  }
  QueryResults results;
  for (const auto& [ref_id, response] : call->response.responses()) {
    results[ref_id] = ResultFromDataResponse(response);
  }
  for (const std::string& ref_id : call->ref_ids) {
    if (results.count(ref_id) == 0) {
      results[ref_id] =
          FailedResult(500, "plugin " + call->plugin_id +
                                " sent no response for refId " + ref_id);
    }
  }
  call->gather->Done(std::move(results));
}

void DataSourceQueries::GroupFailed(const std::shared_ptr<GroupCall>& call,
                                    int status, const std::string& message) {
  log::Info("ds query failed", {{"datasource", call->uid},
                                {"plugin", call->plugin_id},
                                {"status", std::to_string(status)},
                                {"error", message}});
  QueryResults results;
  for (const std::string& ref_id : call->ref_ids) {
    results[ref_id] = FailedResult(status, message);
  }
  call->gather->Done(std::move(results), status, message);
}

}  // namespace runnel::host
