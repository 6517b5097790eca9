#include "resources.h"

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace runnel::testdata {
namespace {

std::string TrimmedPath(const std::string& path) {
  size_t start = path.find_first_not_of('/');
  return start == std::string::npos ? "" : path.substr(start);
}

}  // namespace

runnel::Status Resources::StreamResource(
    const runnel::CallResourceRequest& req,
    runnel::CallResourceResponseSender& sender) {
  const std::string path = TrimmedPath(req.path);
  if (path == "ticks") return SendTicks(sender);
  if (path != "chunks") {
    return CallResourceHandler::StreamResource(req, sender);
  }
  for (int i = 0; i < kResourceChunks; ++i) {
    runnel::CallResourceResponse piece;
    if (i == 0) piece.headers["Content-Type"] = {"text/plain; charset=utf-8"};
    piece.body = "chunk " + std::to_string(i) + "\n";
    if (!sender.Send(piece)) break;  // the host has gone
  }
  return runnel::Status::Ok();
}

runnel::Status Resources::SendTicks(
    runnel::CallResourceResponseSender& sender) {
  for (int i = 0; i < kMaxTicks; ++i) {
    runnel::CallResourceResponse piece;
    if (i == 0) piece.headers["Content-Type"] = {"text/plain; charset=utf-8"};
    piece.body = "tick " + std::to_string(i) + "\n";
    if (!sender.Send(piece)) break;  // the host has gone
    // CallResource runs on a gRPC server thread, which may block.
    std::this_thread::sleep_for(kTickInterval);
  }
  return runnel::Status::Ok();
}

runnel::Status Resources::CallResource(const runnel::CallResourceRequest& req,
                                       runnel::CallResourceResponse* resp) {
  resp->headers["Content-Type"] = {"application/json"};
  const std::string path = TrimmedPath(req.path);
  if (path == "streams") {
    resp->code = 200;
    resp->body = nlohmann::json{{"running", running_->count()}}.dump();
    return runnel::Status::Ok();
  }
  if (path == "echo") {
    resp->code = 200;
    resp->body =
        nlohmann::json{{"method", req.method},
                       {"path", req.path},
                       {"url", req.url},
                       {"body", req.body},
                       {"headers", req.headers}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return runnel::Status::Ok();
  }
  resp->code = 404;
  resp->body =
      nlohmann::json{{"error", "no such resource: " + req.path}}.dump();
  return runnel::Status::Ok();
}

}  // namespace runnel::testdata
