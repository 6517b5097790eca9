#include "resources.h"

#include <nlohmann/json.hpp>

namespace runnel::testdata {

runnel::Status Resources::CallResource(const runnel::CallResourceRequest& req,
                                       runnel::CallResourceResponse* resp) {
  resp->headers["Content-Type"] = {"application/json"};
  std::string path = req.path;
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path == "streams") {
    resp->code = 200;
    resp->body = nlohmann::json{{"running", running_->count()}}.dump();
    return runnel::Status::Ok();
  }
  resp->code = 404;
  resp->body =
      nlohmann::json{{"error", "no such resource: " + req.path}}.dump();
  return runnel::Status::Ok();
}

}  // namespace runnel::testdata
