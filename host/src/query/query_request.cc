#include "query/query_request.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "query/time_range.h"

namespace runnel::host {
namespace {

using JSON = nlohmann::json;

constexpr char kDefaultFrom[] = "now-6h";
constexpr char kDefaultTo[] = "now";

// "from"/"to": a string in ParseGrafanaTime's forms or an epoch-ms number.
Status ReadTime(const JSON& body, const char* key, const char* fallback,
                int64_t now_ms, int64_t* out) {
  auto it = body.find(key);
  std::string text = fallback;
  if (it != body.end() && it->is_number_integer()) {
    *out = it->get<int64_t>();
    return Status::Ok();
  }
  if (it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      return Status::InvalidArgument(std::string("\"") + key +
                                     "\" must be a string or a number");
    }
    text = it->get<std::string>();
  }
  std::string why;
  std::optional<int64_t> ms = ParseGrafanaTime(text, now_ms, &why);
  if (!ms) return Status::InvalidArgument(std::string(key) + ": " + why);
  *out = *ms;
  return Status::Ok();
}

// A string member; *out is left as it is when absent or null.
Status ReadString(const JSON& query, const char* key, std::string* out) {
  auto it = query.find(key);
  if (it == query.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be a string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadInteger(const JSON& query, const char* key, int64_t* out) {
  auto it = query.find(key);
  if (it == query.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be a number");
  }
  *out = it->is_number_integer() ? it->get<int64_t>()
                                 : static_cast<int64_t>(it->get<double>());
  return Status::Ok();
}

// {"uid": ".."}, or the bare uid string older Grafana sent.
std::string DataSourceUid(const JSON& query) {
  auto it = query.find("datasource");
  if (it == query.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto uid = it->find("uid");
    if (uid != it->end() && uid->is_string()) return uid->get<std::string>();
  }
  return "";
}

Status ReadQuery(const JSON& query, size_t index, ParsedQuery* out) {
  const std::string where = "query " + std::to_string(index) + ": ";
  if (!query.is_object()) {
    return Status::InvalidArgument(where + "must be an object");
  }
  for (Status s : {ReadString(query, "refId", &out->ref_id),
                   ReadString(query, "queryType", &out->query_type),
                   ReadInteger(query, "maxDataPoints", &out->max_data_points),
                   ReadInteger(query, "intervalMs", &out->interval_ms)}) {
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
  }
  out->datasource_uid = DataSourceUid(query);
  if (out->datasource_uid.empty()) {
    // Grafana: ErrInvalidDatasourceID, 400.
    return Status::InvalidArgument(where + "refId " + out->ref_id +
                                   " has no data source uid "
                                   "(\"datasource\": {\"uid\": \"..\"})");
  }
  out->json = query.dump(-1, ' ', false, JSON::error_handler_t::replace);
  return Status::Ok();
}

}  // namespace

Status ParseQueryRequest(std::string_view body, int64_t now_ms,
                         QueryRequest* out) {
  JSON parsed = JSON::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::InvalidArgument("bad request data: the body is not JSON");
  }
  if (!parsed.is_object()) {
    return Status::InvalidArgument("bad request data: expected an object");
  }
  QueryRequest request;
  Status s = ReadTime(parsed, "from", kDefaultFrom, now_ms, &request.from_ms);
  if (s.ok()) s = ReadTime(parsed, "to", kDefaultTo, now_ms, &request.to_ms);
  if (!s.ok()) return s;
  auto queries = parsed.find("queries");
  if (queries == parsed.end() || !queries->is_array() || queries->empty()) {
    return Status::InvalidArgument("no queries found");  // Grafana's words
  }
  request.queries.resize(queries->size());
  for (size_t i = 0; i < queries->size(); ++i) {
    s = ReadQuery((*queries)[i], i, &request.queries[i]);
    if (!s.ok()) return s;
  }
  *out = std::move(request);
  return Status::Ok();
}

std::map<std::string, std::vector<size_t>> GroupByDataSource(
    const QueryRequest& request) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < request.queries.size(); ++i) {
    groups[request.queries[i].datasource_uid].push_back(i);
  }
  return groups;
}

}  // namespace runnel::host
