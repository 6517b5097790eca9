#include "live/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "live/client.h"
#include "live/io_loops.h"
#include "live/origin.h"
#include "live/protocol.h"
#include "live/static_files.h"
#include "live/ws_handshake.h"
#include "runnel/log.h"

namespace runnel::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kLiveWsPath = "/api/live/ws";
constexpr std::string_view kLiveListPath = "/api/live/list";
constexpr auto kHttpReadTimeout = std::chrono::seconds(30);
constexpr size_t kHttpBodyLimit = 1024 * 1024;
constexpr auto kShutdownWait = std::chrono::seconds(8);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
constexpr int kAcceptBurst = 64;  // connections taken per accept wake-up

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

class Server::Impl {
 public:
  Impl(LiveConfig config, Hub& hub, ChannelHandler* channel_handler)
      : loops_(config.io_threads),
        acceptor_(loops_.loop(0).context()),
        accept_retry_(acceptor_.get_executor()),
        env_(std::make_shared<ClientEnvironment>()) {
    env_->config = std::move(config);
    env_->hub = &hub;
    env_->channel_handler = channel_handler;
  }

  const LiveConfig& config() const { return env_->config; }

  void HandleGet(std::string path, HttpGetHandler handler) {
    routes_[std::move(path)] = std::move(handler);
  }

  Status Start();
  uint16_t port() const { return port_; }
  void Shutdown();
  LiveStats Stats() const;

  // Called by HTTP sessions on I/O threads.
  HttpResponse Route(const HttpRequest& request) const;
  // Returns the HTTP status refusing the upgrade, or 0 to accept it.
  int CheckUpgrade(const http::request<http::string_body>& request) const;
  // On `loop`, which `socket` belongs to.
  void StartClient(tcp::socket socket, IoLoop* loop,
                   const http::request<http::string_body>& request);

 private:
  void Accept();
  // Hands an accepted connection to its loop.
  void StartHttp(tcp::socket socket, IoLoop* loop);
  void OnSessionFinished(ClientSession* session);

  IoLoops loops_;
  tcp::acceptor acceptor_;  // on loop 0, with accept_retry_
  asio::steady_timer accept_retry_;
  std::unordered_map<std::string, HttpGetHandler> routes_;  // set before Start
  std::shared_ptr<ClientEnvironment> env_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<uint64_t> connections_total_{0};

  // Guards `sessions_` and `accepting_clients_`; `sessions_changed_`
  // signals when a session leaves.
  mutable std::mutex sessions_mutex_;
  std::condition_variable sessions_changed_;
  std::unordered_map<ClientSession*, std::weak_ptr<ClientSession>> sessions_;
  bool accepting_clients_ = true;
};

// One HTTP connection: reads requests, answers GETs, hands WebSocket
// upgrades to a ClientSession. Runs on the loop its socket belongs to.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, IoLoop* loop, Server::Impl* server)
      : stream_(std::move(socket)), loop_(loop), server_(server) {}

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kHttpBodyLimit);
    stream_.expires_after(kHttpReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    http::request<http::string_body> request = parser_->release();
    if (websocket::is_upgrade(request)) {
      int refusal = server_->CheckUpgrade(request);
      if (refusal == 0) {
        stream_.expires_never();
        server_->StartClient(stream_.release_socket(), loop_, request);
        return;
      }
      HttpResponse response =
          refusal == 403   ? TextResponse(403, "origin not allowed")
          : refusal == 503 ? TextResponse(503, "Live is disabled")
          : refusal == 400 ? TextResponse(400, "bad Sec-WebSocket-Key")
          : refusal == 426 ? TextResponse(426, "unsupported WebSocket version")
                           : TextResponse(refusal, "not found");
      if (refusal == 426)
        response.headers.emplace_back("Sec-WebSocket-Version", "13");
      Write(request, std::move(response), /*keep_alive=*/false);
      return;
    }
    HttpRequest plain;
    plain.method = std::string(request.method_string());
    plain.target = std::string(request.target());
    size_t q = plain.target.find('?');
    plain.path = plain.target.substr(0, q);
    if (q != std::string::npos) plain.query = plain.target.substr(q + 1);
    for (const auto& field : request) {
      plain.headers.emplace_back(std::string(field.name_string()),
                                 std::string(field.value()));
    }
    HttpResponse response = request.method() == http::verb::get ||
                                    request.method() == http::verb::head
                                ? server_->Route(plain)
                                : TextResponse(405, "method not allowed");
    Write(request, std::move(response), request.keep_alive());
  }

  void Write(const http::request<http::string_body>& request,
             HttpResponse response, bool keep_alive) {
    auto out = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), request.version());
    out->set(http::field::server, "runnel");
    out->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out->set(name, value);
    if (request.method() != http::verb::head) {
      out->body() = std::move(response.body);
      out->prepare_payload();
    } else {
      out->content_length(response.body.size());
    }
    out->keep_alive(keep_alive);
    stream_.expires_after(kHttpReadTimeout);
    http::async_write(stream_, *out,
                      [self = shared_from_this(), out, keep_alive](
                          beast::error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(
                              tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  IoLoop* loop_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Server::Impl* server_;
};

Status Server::Impl::Start() {
  if (started_) return Status::Internal("server already started");
  beast::error_code ec;
  auto address = asio::ip::make_address(
      config().http_addr.empty() ? "0.0.0.0" : config().http_addr, ec);
  if (ec) {
    return Status::InvalidArgument("bad http_addr \"" + config().http_addr +
                                   "\": " + ec.message());
  }
  tcp::endpoint endpoint(address, config().http_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  // Non-blocking, so that a burst of accepts stops when none is waiting.
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + config().http_addr + ":" +
                               std::to_string(config().http_port) + ": " +
                               ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  env_->on_finished = [this](ClientSession* session) {
    OnSessionFinished(session);
  };
  started_ = true;
  Accept();
  loops_.Start();
  log::Info("live: HTTP server listening",
            {{"address", config().http_addr}, {"port", std::to_string(port_)}});
  return Status::Ok();
}

void Server::Impl::Accept() {
  IoLoop* loop = &loops_.Next();
  acceptor_.async_accept(
      loop->context(), [this, loop](beast::error_code ec, tcp::socket s) {
        if (ec) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
            return;
          }
          // E.g. out of file descriptors: wait a little instead of spinning.
          log::Warn("live: accept failed", {{"error", ec.message()}});
          accept_retry_.expires_after(kAcceptRetryDelay);
          accept_retry_.async_wait([this](beast::error_code wait_ec) {
            if (!wait_ec && acceptor_.is_open()) Accept();
          });
          return;
        }
        StartHttp(std::move(s), loop);
        // Take what else is waiting now: one accept per loop turn would cap
        // new connections at a few hundred a second while loop 0 is busy
        // fanning out. An error (or none waiting) ends the burst; the next
        // async_accept reports it.
        for (int i = 1; i < kAcceptBurst; ++i) {
          IoLoop* next = &loops_.Next();
          tcp::socket more(next->context());
          beast::error_code burst_ec;
          acceptor_.accept(more, burst_ec);
          if (burst_ec) break;
          StartHttp(std::move(more), next);
        }
        Accept();
      });
}

void Server::Impl::StartHttp(tcp::socket socket, IoLoop* loop) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<HttpSession>(std::move(socket), loop, this);
  asio::post(loop->context(), [session] { session->Start(); });
}

int Server::Impl::CheckUpgrade(
    const http::request<http::string_body>& request) const {
  std::string_view target = ToStd(request.target());
  std::string_view path = target.substr(0, target.find('?'));
  if (path != kLiveWsPath) return 404;
  if (!CheckOrigin(ToStd(request[http::field::origin]),
                   ToStd(request[http::field::host]), config().root_url,
                   config().allowed_origins)) {
    return 403;
  }
  if (config().max_connections == 0) return 503;
  return ws::CheckUpgradeHeaders(
      ToStd(request[http::field::sec_websocket_key]),
      ToStd(request[http::field::sec_websocket_version]));
}

void Server::Impl::StartClient(
    tcp::socket socket, IoLoop* loop,
    const http::request<http::string_body>& request) {
  auto session = std::make_shared<ClientSession>(std::move(socket), loop, env_);
  {
    std::lock_guard lock(sessions_mutex_);
    if (!accepting_clients_) return;  // shutting down: drop the socket
    sessions_.emplace(session.get(), session);
  }
  ++connections_total_;
  session->Start(request);
}

void Server::Impl::OnSessionFinished(ClientSession* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
  sessions_changed_.notify_all();
}

HttpResponse Server::Impl::Route(const HttpRequest& request) const {
  if (request.path == kLiveListPath) {
    std::string body = "{\"channels\":[";
    bool first = true;
    for (const HubChannelInfo& info : env_->hub->Channels()) {
      if (!first) body.push_back(',');
      first = false;
      body.append("{\"channel\":");
      AppendJsonString(&body, info.channel);
      body.append(",\"subscribers\":");
      body.append(std::to_string(info.subscribers));
      body.push_back('}');
    }
    body.append("]}");
    HttpResponse response;
    response.body = std::move(body);
    return response;
  }
  if (auto it = routes_.find(request.path); it != routes_.end()) {
    return it->second(request);
  }
  if (request.path.rfind("/api/", 0) == 0 || config().static_root.empty()) {
    return TextResponse(404, "not found");
  }
  return ServeStaticFile(config().static_root, request.path);
}

void Server::Impl::Shutdown() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  std::vector<std::shared_ptr<ClientSession>> open;
  {
    std::lock_guard lock(sessions_mutex_);
    accepting_clients_ = false;
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->Close(kDisconnectShutdown, true);
  open.clear();
  {
    std::unique_lock lock(sessions_mutex_);
    if (!sessions_changed_.wait_for(lock, kShutdownWait,
                                    [this] { return sessions_.empty(); })) {
      log::Warn("live: clients still open at shutdown",
                {{"count", std::to_string(sessions_.size())}});
    }
  }
  loops_.Stop();
  log::Info("live: HTTP server stopped");
}

LiveStats Server::Impl::Stats() const {
  LiveStats stats;
  {
    std::lock_guard lock(sessions_mutex_);
    stats.connections = sessions_.size();
  }
  stats.connections_total = connections_total_.load();
  stats.subscriptions = env_->hub->NumSubscriptions();
  stats.channels = env_->hub->NumChannels();
  HubCounters counters = env_->hub->Counters();
  stats.publications_in = counters.publications_in;
  stats.messages_out = counters.messages_out;
  stats.slow_disconnects = env_->slow_disconnects.load();
  return stats;
}

Server::Server(LiveConfig config, Hub& hub, ChannelHandler* channel_handler)
    : impl_(std::make_unique<Impl>(std::move(config), hub, channel_handler)) {}

Server::~Server() { Shutdown(); }

void Server::HandleGet(std::string path, HttpGetHandler handler) {
  impl_->HandleGet(std::move(path), std::move(handler));
}

Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Shutdown() { impl_->Shutdown(); }
LiveStats Server::Stats() const { return impl_->Stats(); }

}  // namespace runnel::host
