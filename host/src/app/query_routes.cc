#include "app/query_routes.h"

#include <string>
#include <string_view>
#include <utility>

namespace runnel::host {
namespace {

constexpr std::string_view kQueryPath = "/api/ds/query";
constexpr std::string_view kDataSourcePrefix = "/api/datasources/uid/";
constexpr std::string_view kPluginPrefix = "/api/plugins/";
constexpr std::string_view kPluginMetricsPrefix = "/metrics/plugins/";
constexpr std::string_view kResources = "resources";
constexpr const char* kResourceMethods[] = {"GET", "POST", "PUT", "PATCH",
                                            "DELETE"};

ClientIdentity HttpCaller() { return ClientIdentity{.client_id = "http"}; }

// "<name>/<rest>" after `prefix`: the name, and in *rest what follows its
// slash ("" when none).
std::string_view SplitName(std::string_view path, std::string_view prefix,
                           std::string_view* rest) {
  std::string_view tail = path.substr(prefix.size());
  size_t slash = tail.find('/');
  *rest = slash == std::string_view::npos ? "" : tail.substr(slash + 1);
  return tail.substr(0, slash);
}

// "resources" or "resources/<path>": true with the path.
bool ResourcePath(std::string_view rest, std::string* path) {
  if (rest.substr(0, kResources.size()) != kResources) return false;
  rest.remove_prefix(kResources.size());
  if (!rest.empty() && rest.front() != '/') return false;
  if (!rest.empty()) rest.remove_prefix(1);
  *path = std::string(rest);
  return true;
}

void HandleDataSource(const QueryRoutes& routes, HttpRequest request,
                      HttpRespond respond) {
  std::string_view rest;
  const std::string uid(SplitName(request.path, kDataSourcePrefix, &rest));
  std::string path;
  if (rest == "health" && request.method == "GET") {
    return routes.health->Check(uid, HttpCaller(), std::move(respond));
  }
  if (!uid.empty() && ResourcePath(rest, &path)) {
    return routes.resources->CallDataSource(uid, std::move(path),
                                            std::move(request), HttpCaller(),
                                            std::move(respond));
  }
  respond(JSONErrorResponse(404, "Not found"));
}

void HandlePlugin(const QueryRoutes& routes, HttpRequest request,
                  HttpRespond respond) {
  std::string_view rest;
  const std::string id(SplitName(request.path, kPluginPrefix, &rest));
  std::string path;
  if (!id.empty() && ResourcePath(rest, &path)) {
    return routes.resources->CallPlugin(id, std::move(path), std::move(request),
                                        HttpCaller(), std::move(respond));
  }
  respond(JSONErrorResponse(404, "Not found"));
}

}  // namespace

void AddQueryRoutes(Server& server, const QueryRoutes& routes) {
  server.Handle(HttpRoute{"GET", std::string(kPluginMetricsPrefix), true},
                [routes](HttpRequest request, HttpRespond respond) {
                  std::string_view rest;
                  const std::string id(
                      SplitName(request.path, kPluginMetricsPrefix, &rest));
                  if (!rest.empty()) {
                    return respond(JSONErrorResponse(404, "Not found"));
                  }
                  routes.metrics->Collect(id, HttpCaller(), std::move(respond));
                });
  server.Handle(
      HttpRoute{"POST", std::string(kQueryPath), false, kQueryMaxBodyBytes},
      [routes](HttpRequest request, HttpRespond respond) {
        routes.queries->Query(request.body, HttpCaller(), std::move(respond));
      });
  for (const char* method : kResourceMethods) {
    server.Handle(HttpRoute{method, std::string(kDataSourcePrefix), true,
                            kResourceMaxBodyBytes},
                  [routes](HttpRequest request, HttpRespond respond) {
                    HandleDataSource(routes, std::move(request),
                                     std::move(respond));
                  });
    server.Handle(HttpRoute{method, std::string(kPluginPrefix), true,
                            kResourceMaxBodyBytes},
                  [routes](HttpRequest request, HttpRespond respond) {
                    HandlePlugin(routes, std::move(request),
                                 std::move(respond));
                  });
  }
}

}  // namespace runnel::host
