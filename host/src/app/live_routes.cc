#include "app/live_routes.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "live/errors.h"
#include "live/json_scan.h"
#include "live/protocol.h"
#include "live/publish_route.h"
#include "runnel/live_channel.h"

namespace runnel::host {
namespace {

constexpr std::string_view kPublishPath = "/api/live/publish";
constexpr std::string_view kPushPrefix = "/api/live/push/";
constexpr std::string_view kListPath = "/api/live/list";

ClientIdentity HttpCaller() { return ClientIdentity{.client_id = "http"}; }

// The HTTP status for a publish reply's Centrifuge code.
int HttpStatusOf(int32_t code) {
  switch (code) {
    case 0:
      return 200;
    case kErrorInvalidChannel.code:
    case kErrorBadRequest.code:
      return 400;
    case kErrorPermissionDenied.code:
    case kErrorForbidden.code:
      return 403;
    case kErrorNotFound.code:
      return 404;
    case kErrorLimitExceeded.code:
      return 413;
    default:
      return 500;
  }
}

struct PublishCommand {
  std::string channel;
  std::string data;  // raw JSON
};

// {"channel":"..","data":<json>} (grafana dtos LivePublishCmd).
std::optional<PublishCommand> ReadPublishCommand(std::string_view body,
                                                 std::string* why) {
  if (!nlohmann::json::accept(body)) {
    *why = "the body is not JSON";
    return std::nullopt;
  }
  PublishCommand command;
  bool has_channel = false;
  const bool object = json_scan::ForEachMember(
      body, json_scan::SkipSpace(body, 0),
      [&](std::string_view key, std::string_view value) {
        if (key == "\"channel\"") {
          std::optional<std::string> text = json_scan::StringValue(value);
          has_channel = text.has_value();
          if (text) command.channel = std::move(*text);
        } else if (key == "\"data\"") {
          command.data = std::string(value);
        }
      });
  if (!object || !has_channel) {
    *why = "the body must be {\"channel\": \"<scope/namespace/path>\", ...}";
    return std::nullopt;
  }
  if (command.data.empty()) {
    *why = "the body has no \"data\" to publish";
    return std::nullopt;
  }
  return command;
}

void HandlePublish(const LiveRoutes& routes, HttpRequest request,
                   HttpRespond respond) {
  std::string why;
  std::optional<PublishCommand> command =
      ReadPublishCommand(request.body, &why);
  if (!command) return respond(JSONErrorResponse(400, why));
  const ClientIdentity who = HttpCaller();
  std::optional<LiveChannel> channel = ParseChannel(command->channel, &why);
  if (!channel) {
    return respond(JSONErrorResponse(
        400, std::string(kErrorInvalidChannel.message) + ": " + why));
  }
  const std::string wire = std::to_string(who.org_id) + "/" + command->channel;
  PublishThrough(*routes.channels, *routes.hub, who, wire, *channel,
                 command->data,
                 [respond = std::move(respond)](PublishReply reply) {
                   const int status = HttpStatusOf(reply.error_code);
                   if (status == 200) {
                     HttpResponse ok;
                     ok.body = "{}";
                     return respond(std::move(ok));
                   }
                   std::string message = reply.error_message.empty()
                                             ? std::string(StatusText(status))
                                             : reply.error_message;
                   respond(JSONErrorResponse(status, message));
                 });
}

// The push of `body` to the stream named by `request`'s path.
PushOutcome Push(ManagedStreams& streams, const HttpRequest& request,
                 std::string_view body) {
  bool bad_query = false;
  PushRequest push;
  push.org_id = HttpCaller().org_id;
  push.stream_id = std::string_view(request.path).substr(kPushPrefix.size());
  push.body = body;
  push.precision = request.QueryParam("precision", &bad_query);
  push.frame_format = request.QueryParam("gf_live_frame_format", &bad_query);
  if (bad_query) return PushOutcome{400, "badly encoded query string", 0};
  return streams.Push(push);
}

HttpResponse HandlePush(const LiveRoutes& routes, const HttpRequest& request) {
  PushOutcome outcome = Push(*routes.managed_streams, request, request.body);
  if (outcome.status == 200) {
    HttpResponse ok;
    ok.content_type = "text/plain; charset=utf-8";
    return ok;
  }
  return JSONErrorResponse(outcome.status, outcome.message);
}

std::string HandlePushMessage(const LiveRoutes& routes,
                              const HttpRequest& upgrade,
                              std::string_view message) {
  PushOutcome outcome = Push(*routes.managed_streams, upgrade, message);
  if (outcome.status == 200) return "";
  std::string reply =
      "{\"status\":" + std::to_string(outcome.status) + ",\"message\":";
  AppendJSONString(outcome.message, reply);
  reply.push_back('}');
  return reply;
}

// One /api/live/list entry.
struct ListedChannel {
  size_t subscribers = 0;
  const StoredChannel* kept = nullptr;
};

// The list's body from the cluster's channels and the kept ones.
std::string ListBody(const std::vector<HubChannelInfo>& active,
                     const std::vector<StoredChannel>& kept) {
  std::map<std::string, ListedChannel> merged;
  for (const HubChannelInfo& info : active) {
    merged[info.channel].subscribers = info.subscribers;
  }
  for (const StoredChannel& channel : kept)
    merged[channel.channel].kept = &channel;
  std::string body = "{\"channels\":[";
  bool first = true;
  for (const auto& [channel, listed] : merged) {
    if (!first) body.push_back(',');
    first = false;
    body.append("{\"channel\":");
    AppendJSONString(channel, body);
    body.append(",\"subscribers\":" + std::to_string(listed.subscribers));
    if (listed.kept != nullptr) {
      if (!listed.kept->schema.empty()) {
        // {"schema":..} as pushed: Grafana lists a frame's schema as "data".
        body.append(",\"data\":" + listed.kept->schema);
      }
      body.append(",\"last_update_ms\":" +
                  std::to_string(listed.kept->updated_unix_ms));
    }
    body.push_back('}');
  }
  body.append("]}");
  return body;
}

void HandleList(const LiveRoutes& routes, HttpRespond respond) {
  // The kept channels may come from Redis, on its thread.
  routes.engine->last_messages().List(
      [active = routes.engine->ClusterChannels(),
       respond = std::move(respond)](std::vector<StoredChannel> kept) {
        HttpResponse response;
        response.body = ListBody(active, kept);
        respond(std::move(response));
      });
}

}  // namespace

void AddLiveRoutes(Server& server, const LiveRoutes& routes) {
  server.Handle(HttpRoute{"POST", std::string(kPublishPath)},
                [routes](HttpRequest request, HttpRespond respond) {
                  HandlePublish(routes, std::move(request), std::move(respond));
                });
  server.Handle(HttpRoute{"POST", std::string(kPushPrefix), /*prefix=*/true,
                          routes.push_max_body_bytes},
                [routes](HttpRequest request, HttpRespond respond) {
                  respond(HandlePush(routes, request));
                });
  server.HandleWebSocket(
      WebSocketRoute{std::string(kPushPrefix), routes.push_max_body_bytes},
      [routes](const HttpRequest& upgrade, std::string_view message) {
        return HandlePushMessage(routes, upgrade, message);
      });
  server.Handle(HttpRoute{"GET", std::string(kListPath)},
                [routes](HttpRequest, HttpRespond respond) {
                  HandleList(routes, std::move(respond));
                });
}

}  // namespace runnel::host
