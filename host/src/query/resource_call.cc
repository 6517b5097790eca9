#include "query/resource_call.h"

#include <absl/strings/ascii.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>
#include <string_view>

#include "backend.grpc.pb.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

// "content-TYPE" -> "Content-Type", as Go's textproto.CanonicalMIMEHeaderKey.
std::string CanonicalHeaderName(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    c = upper ? absl::ascii_toupper(c) : absl::ascii_tolower(c);
    upper = c == '-';
  }
  return out;
}

// Hop-by-hop headers (RFC 9110 7.6.1) and those the server itself writes
// from the body it sends.
bool IsHopByHop(std::string_view canonical) {
  for (std::string_view name :
       {"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection",
        "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length"}) {
    if (canonical == name) return true;
  }
  return false;
}

}  // namespace

void CopyRequestHeaders(const HttpRequest& request,
                        pluginv2::CallResourceRequest* out) {
  for (const auto& [name, value] : request.headers) {
    std::string canonical = CanonicalHeaderName(name);
    if (IsHopByHop(canonical) || canonical == "Host") continue;
    (*out->mutable_headers())[canonical].add_values(value);
  }
}

HttpResponse ResponseHead(const pluginv2::CallResourceResponse& first) {
  HttpResponse head;
  head.status = first.code() > 0 ? first.code() : 200;
  bool has_content_type = false;
  for (const auto& [name, list] : first.headers()) {
    std::string canonical = CanonicalHeaderName(name);
    if (canonical == "Set-Cookie" || IsHopByHop(canonical)) continue;
    if (canonical == "Content-Type" && list.values_size() > 0) {
      head.content_type = list.values(0);
      has_content_type = true;
      continue;
    }
    for (const std::string& value : list.values()) {
      head.headers.emplace_back(canonical, value);
    }
  }
  if (!has_content_type) {
    head.content_type = head.status == 204 ? "" : "application/json";
  }
  return head;
}

// Streams the reply to the HTTP client as it is read: the first message
// answers (status, headers, first piece), later ones go to the body stream.
// Owns itself from StartCall until OnDone.
class ResourceCalls::Reader
    : public grpc::ClientReadReactor<pluginv2::CallResourceResponse> {
 public:
  Reader(PluginCalls& calls, std::shared_ptr<grpc::ClientContext> context,
         std::string plugin_id, size_t max_queued_bytes, HttpRespond respond)
      : calls_(calls),
        context_(std::move(context)),
        plugin_id_(std::move(plugin_id)),
        body_(std::make_shared<HttpBodyStream>(max_queued_bytes)),
        respond_(std::move(respond)) {}

  void Start(pluginv2::Resource::Stub& stub,
             const pluginv2::CallResourceRequest& request) {
    stub.async()->CallResource(context_.get(), &request, this);
    StartRead(&message_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    bool room = true;
    if (messages_++ == 0) {
      HttpResponse head = ResponseHead(message_);
      head.body = std::move(*message_.mutable_body());
      head.body_stream = body_;
      // A client that leaves stops the plugin's stream. The callback may
      // run after OnDone: it touches the reader only while the flag says a
      // hold (which delays OnDone) is in place.
      body_->OnCancel([this, context = context_, waiting = waiting_for_room_] {
        context->TryCancel();
        if (waiting->exchange(false)) RemoveHold();
      });
      respond_(std::move(head));
    } else {
      room = body_->Write(std::move(*message_.mutable_body()));
    }
    if (room) return StartRead(&message_);
    // Paused until the client has taken half of what waits; the hold keeps
    // the reactor alive meanwhile.
    AddHold();
    waiting_for_room_->store(true);
    body_->WhenRoom([this, waiting = waiting_for_room_] {
      if (!waiting->exchange(false)) return;
      StartRead(&message_);
      RemoveHold();
    });
  }

  void OnDone(const grpc::Status& rpc) override {
    if (messages_ > 0) {
      if (!rpc.ok()) {
        log::Info("resource reply cut short",
                  {{"plugin", plugin_id_}, {"error", rpc.error_message()}});
      }
      body_->End(rpc.ok());
    } else {
      respond_(Answer(rpc));
    }
    std::shared_ptr<grpc::ClientContext> context = std::move(context_);
    PluginCalls& calls = calls_;
    delete this;
    calls.End(context);  // last: Shutdown may return now
  }

 private:
  // The answer to a call that ended before its first message.
  HttpResponse Answer(const grpc::Status& rpc) {
    if (!rpc.ok()) {
      log::Info("resource call failed",
                {{"plugin", plugin_id_}, {"error", rpc.error_message()}});
      const int status = HttpStatusForRpc(rpc);
      if (status == 501) return JSONErrorResponse(404, "Not found");
      if (status == 503) {
        return JSONErrorResponse(503,
                                 "Plugin unavailable: " + rpc.error_message());
      }
      return JSONErrorResponse(
          500, "Failed to call resource: " + rpc.error_message());
    }
    return JSONErrorResponse(
        500, "Failed to call resource: received empty resource response");
  }

  PluginCalls& calls_;
  std::shared_ptr<grpc::ClientContext> context_;
  const std::string plugin_id_;
  const std::shared_ptr<HttpBodyStream> body_;
  HttpRespond respond_;
  pluginv2::CallResourceResponse message_;
  size_t messages_ = 0;
  // Shared with the body stream's callbacks, which may outlive the reader.
  const std::shared_ptr<std::atomic<bool>> waiting_for_room_ =
      std::make_shared<std::atomic<bool>>(false);
};

void ResourceCalls::CallDataSource(const std::string& uid, std::string path,
                                   HttpRequest request,
                                   const ClientIdentity& who,
                                   HttpRespond respond) {
  Route route;
  if (!router_.ResolveDataSource(uid, &route).ok()) {
    return respond(JSONErrorResponse(404, "Data source not found: " + uid));
  }
  Call(route, std::move(path), std::move(request), who, std::move(respond));
}

void ResourceCalls::CallPlugin(const std::string& id, std::string path,
                               HttpRequest request, const ClientIdentity& who,
                               HttpRespond respond) {
  Route route;
  if (!router_.ResolvePlugin(id, &route).ok()) {
    return respond(JSONErrorResponse(404, "Plugin not found: " + id));
  }
  Call(route, std::move(path), std::move(request), who, std::move(respond));
}

void ResourceCalls::Call(const Route& route, std::string path,
                         HttpRequest request, const ClientIdentity& who,
                         HttpRespond respond) {
  auto call = std::make_shared<pluginv2::CallResourceRequest>();
  *call->mutable_plugincontext() = router_.MakePluginContext(route, who);
  call->set_url(request.query.empty() ? path : path + "?" + request.query);
  call->set_path(std::move(path));
  call->set_method(request.method);
  CopyRequestHeaders(request, call.get());
  call->set_body(std::move(request.body));
  Supervisor* plugin = route.plugin;
  calls_.WhenRunning(plugin, [this, plugin, call, respond = std::move(respond)](
                                 PluginConnection connection) {
    if (!connection.channel) {
      return respond(JSONErrorResponse(
          503, "Plugin unavailable: " + plugin->id() + " is not running"));
    }
    std::shared_ptr<grpc::ClientContext> context = calls_.Begin();
    if (!context) {
      return respond(
          JSONErrorResponse(503, "Plugin unavailable: the host is stopping"));
    }
    auto stub = pluginv2::Resource::NewStub(connection.channel);
    // The request must outlive the call: the reader keeps it.
    auto* reader = new Reader(calls_, context, plugin->id(), max_queued_bytes_,
                              [call, respond](HttpResponse response) {
                                respond(std::move(response));
                              });
    reader->Start(*stub, *call);
  });
}

}  // namespace runnel::host
