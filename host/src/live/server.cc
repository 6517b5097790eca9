#include "live/server.h"

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <absl/time/time.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "live/accept_backoff.h"
#include "live/client.h"
#include "live/host_check.h"
#include "live/io_loops.h"
#include "live/message_socket.h"
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
// Echoed when the client offers it (centrifuge-js does); else none.
constexpr std::string_view kSubprotocol = "centrifuge-json";
constexpr auto kHttpReadTimeout = std::chrono::seconds(30);
constexpr size_t kHttpBodyLimit = 1024 * 1024;  // routes without their own
// Read room for a request body (see HttpSession::ReserveBodyRoom), and the
// most a connection keeps while it waits for its next request.
constexpr size_t kBodyReadRoom = 64 * 1024;
constexpr size_t kIdleReadBuffer = 8 * 1024;
constexpr absl::Duration kShutdownWait = absl::Seconds(8);
constexpr int kAcceptBurst = 64;  // connections taken per accept wake-up
// After an error response the server stops sending (FIN) and reads what the
// client still sends, for at most this long, before closing: closing with
// unread bytes would send a reset, which can destroy the response before
// the client reads it (Go's net/http closeWriteAndWait does the same).
constexpr auto kLingerTime = std::chrono::seconds(2);

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

// The status for a request that could not be read (Go's net/http answers
// the same way), or 0 when the client left or went quiet and nobody is
// there to answer. `request_line_read`: the parser got past the request
// line (a header section over the limit is then not about the URL).
int StatusForReadError(const beast::error_code& ec, bool request_line_read) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return request_line_read ? 431 : 414;
  }
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return 0;
  }
  if (ec.category() ==
      http::make_error_code(http::error::bad_method).category()) {
    return 400;  // a malformed request line, header or body framing
  }
  return 0;  // a socket error or the read time-out
}

std::string_view StatusText(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 431:
      return "request header fields too large";
    default:
      return "error";
  }
}

}  // namespace

namespace {

// A WebSocket route of HandleWebSocket, with the connection settings its
// sockets use (the server's, with the route's message limit).
struct MessageEndpoint {
  WebSocketRoute route;
  WebSocketMessageHandler handler;
  LiveConfig config;
};

bool RouteMatches(const HttpRoute& route, std::string_view method,
                  std::string_view path) {
  if (route.method != method) return false;
  return route.prefix ? path.size() > route.path.size() &&
                            path.substr(0, route.path.size()) == route.path
                      : path == route.path;
}

HttpRequest PlainRequest(const http::request<http::string_body>& request) {
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
  return plain;  // without the body: only Handle routes take it (moved)
}

}  // namespace

class Server::Impl {
 public:
  Impl(LiveConfig config, Hub& hub, ChannelHandler* channel_handler)
      : loops_(config.io_threads),
        acceptor_(loops_.loop(0).context()),
        accept_retry_(acceptor_.get_executor()),
        env_(std::make_shared<ClientEnvironment>()) {
    env_->config = std::move(config);
    host_policy_.enforce_domain = env_->config.enforce_domain;
    host_policy_.domain = UrlHostname(env_->config.root_url);
    host_policy_.root_url = env_->config.root_url;
    env_->hub = &hub;
    env_->channel_handler = channel_handler;
  }

  const LiveConfig& config() const { return env_->config; }

  void HandleGet(std::string path, HttpGetHandler handler) {
    routes_[std::move(path)] = std::move(handler);
  }
  void Handle(HttpRoute route, HttpHandler handler) {
    handlers_.push_back({std::move(route), std::move(handler)});
  }
  void HandleWebSocket(WebSocketRoute route, WebSocketMessageHandler handler) {
    MessageEndpoint endpoint{std::move(route), std::move(handler),
                             env_->config};
    endpoint.config.message_size_limit = endpoint.route.max_message_bytes;
    endpoints_.push_back(std::move(endpoint));
  }

  Status Start();
  uint16_t port() const { return port_; }
  void Shutdown();
  LiveStats Stats() const;

  // Called by HTTP sessions on I/O threads.
  HttpResponse Route(const HttpRequest& request) const;
  // The handler added with Handle for this request, or null.
  const HttpRoute* FindRoute(std::string_view method, std::string_view path,
                             const HttpHandler** handler) const;
  // Returns the HTTP status refusing the upgrade, or 0 to accept it.
  int CheckUpgrade(const http::request<http::string_body>& request) const;
  // The Host header rules (host_check.h) for any request.
  HostVerdict CheckHostOf(const http::request<http::string_body>& request,
                          bool upgrade) const;
  // On `loop`, which `socket` belongs to.
  void StartClient(tcp::socket socket, IoLoop* loop,
                   const http::request<http::string_body>& request);

 private:
  void Accept();
  // Waits `pause` (accept is failing), then accepts again.
  void PauseAccepting(std::chrono::milliseconds pause);
  // Hands an accepted connection to its loop.
  void StartHttp(tcp::socket socket, IoLoop* loop);
  void OnSessionFinished(SocketSession* session);
  // The endpoint added with HandleWebSocket for `path`, or null.
  const MessageEndpoint* FindEndpoint(std::string_view path) const;
  bool NoSessionsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(sessions_mutex_) {
    return sessions_.empty();
  }

  IoLoops loops_;
  tcp::acceptor acceptor_;  // on loop 0, with accept_retry_
  asio::steady_timer accept_retry_;
  AcceptBackoff accept_backoff_;  // on loop 0, with the acceptor
  HostPolicy host_policy_;
  std::unordered_map<std::string, HttpGetHandler> routes_;   // set before Start
  std::vector<std::pair<HttpRoute, HttpHandler>> handlers_;  // ditto
  std::vector<MessageEndpoint> endpoints_;                   // ditto
  std::shared_ptr<ClientEnvironment> env_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<uint64_t> connections_total_{0};

  // Shutdown waits on it (with a condition) for sessions_ to empty.
  mutable absl::Mutex sessions_mutex_;
  std::unordered_map<SocketSession*, std::weak_ptr<SocketSession>> sessions_
      ABSL_GUARDED_BY(sessions_mutex_);
  bool accepting_clients_ ABSL_GUARDED_BY(sessions_mutex_) = true;
};

// One HTTP connection: reads requests, answers GETs, hands WebSocket
// upgrades to a ClientSession. Runs on the loop its socket belongs to.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, IoLoop* loop, Server::Impl* server)
      : stream_(std::move(socket)), loop_(loop), server_(server) {}

  void Start() { Read(); }

 private:
  // The header first: the body limit is the route's, and a body announced
  // over it is refused before it is sent (or read).
  void Read() {
    // A body's read room is not held while the connection waits.
    if (buffer_.size() == 0 && buffer_.capacity() > kIdleReadBuffer) {
      buffer_.shrink_to_fit();
    }
    parser_.emplace();
    handler_ = nullptr;
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(server_->config().max_header_bytes, UINT32_MAX)));
    stream_.expires_after(kHttpReadTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    const auto& header = parser_->get();
    std::string_view target = ToStd(header.target());
    const HttpRoute* route =
        server_->FindRoute(ToStd(header.method_string()),
                           target.substr(0, target.find('?')), &handler_);
    const size_t limit = route ? route->max_body_bytes : kHttpBodyLimit;
    parser_->body_limit(limit);
    if (parser_->content_length() && *parser_->content_length() > limit) {
      OnReadError(http::error::body_limit);
      return;
    }
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl waits a second for this before a large body.
      auto go_on = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, header.version());
      http::async_write(stream_, *go_on,
                        [self = shared_from_this(), go_on](
                            beast::error_code write_ec, size_t) {
                          if (write_ec) return;
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // Beast reads at most the buffer's free room per recv (512 bytes when it
  // has none), and the body leaves the buffer as it is parsed, so the room
  // left after the header took a 100 KB push body in ~200 recvmsg calls
  // and as many epoll waits. Room for up to 64 KB of it makes that 2 or 3.
  void ReserveBodyRoom() {
    if (parser_->is_done()) return;
    const auto left = parser_->content_length_remaining();  // boost::optional
    const size_t room = left ? std::min<uint64_t>(*left, kBodyReadRoom)
                             : kBodyReadRoom;  // chunked
    buffer_.reserve(buffer_.size() + room);
  }

  void ReadBody() {
    ReserveBodyRoom();
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    request_ = parser_->release();
    const http::request<http::string_body>& request = request_;
    const bool upgrade = websocket::is_upgrade(request);
    if (HostVerdict verdict = server_->CheckHostOf(request, upgrade);
        verdict.status != 0) {
      log::Debug("live: HTTP request refused by its Host header",
                 {{"remote", Remote()},
                  {"status", std::to_string(verdict.status)},
                  {"reason", verdict.reason},
                  {"host", ToStd(request[http::field::host])}});
      HttpResponse response = TextResponse(verdict.status, verdict.reason);
      if (!verdict.location.empty()) {
        response.headers.emplace_back("Location", verdict.location);
      }
      Write(std::move(response), /*keep_alive=*/false);
      return;
    }
    if (upgrade) {
      OnUpgrade();
      return;
    }
    if (handler_ != nullptr) {
      // The handler may answer from another thread: the answer is written
      // on this connection's loop.
      HttpRequest plain = PlainRequest(request);
      plain.body = std::move(request_.body());  // not needed here again
      (*handler_)(
          std::move(plain), [self = shared_from_this()](HttpResponse response) {
            asio::post(self->stream_.get_executor(),
                       [self, response = std::move(response)]() mutable {
                         self->Write(std::move(response),
                                     self->request_.keep_alive());
                       });
          });
      return;
    }
    HttpResponse response = request.method() == http::verb::get ||
                                    request.method() == http::verb::head
                                ? server_->Route(PlainRequest(request))
                                : TextResponse(405, "method not allowed");
    Write(std::move(response), request.keep_alive());
  }

  void OnUpgrade() {
    int refusal = server_->CheckUpgrade(request_);
    if (refusal == 0) {
      stream_.expires_never();
      server_->StartClient(stream_.release_socket(), loop_, request_);
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
    Write(std::move(response), /*keep_alive=*/false);
  }

  // A request that could not be read whole is answered (400, 413, 414,
  // 431) and the connection closed; one whose client left gets nothing.
  void OnReadError(beast::error_code ec) {
    // Beast hands the target over once the request line is whole.
    const int status = StatusForReadError(ec, !parser_->get().target().empty());
    if (status == 0) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    log::Debug("live: bad HTTP request", {{"remote", Remote()},
                                          {"status", std::to_string(status)},
                                          {"error", ec.message()}});
    request_ = {};  // not read: HTTP/1.1 GET
    Write(TextResponse(status, StatusText(status)), /*keep_alive=*/false);
  }

  std::string Remote() const {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (ec) return "?";
    return remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  // Reads and drops what the client still sends, until it closes or
  // kLingerTime passes (see kLingerTime).
  void Linger() {
    thread_local std::array<char, 4096> discard;  // shared: never read
    stream_.async_read_some(
        asio::buffer(discard),
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!ec) self->Linger();
        });
  }

  // Answers request_.
  void Write(HttpResponse response, bool keep_alive) {
    if (response.body_stream && request_.method() != http::verb::head) {
      WriteStreamed(std::move(response), keep_alive);
      return;
    }
    const http::request<http::string_body>& request = request_;
    auto out = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), request.version());
    out->set(http::field::server, "runnel");
    if (!response.content_type.empty()) {
      out->set(http::field::content_type, response.content_type);
    }
    // insert, not set: a header may repeat (a plugin's resource reply).
    for (const auto& [name, value] : response.headers) {
      out->insert(name, value);
    }
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
                          if (!ec) {
                            self->stream_.expires_after(kLingerTime);
                            self->Linger();
                          }
                          return;
                        }
                        self->Read();
                      });
  }

  // A streamed reply: the head (chunked), then each chunk the body stream
  // gives, then the last chunk.
  void WriteStreamed(HttpResponse response, bool keep_alive) {
    auto head = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), request_.version());
    head->set(http::field::server, "runnel");
    if (!response.content_type.empty()) {
      head->set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
      head->insert(name, value);
    }
    head->chunked(true);
    head->keep_alive(keep_alive);
    body_ = std::move(response.body_stream);
    // Sent first, ahead of the stream (which may already have ended).
    first_chunk_ = std::move(response.body);
    keep_alive_ = keep_alive;
    auto serializer =
        std::make_shared<http::response_serializer<http::empty_body>>(*head);
    stream_.expires_after(kHttpReadTimeout);
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), head, serializer](
                                 beast::error_code ec, size_t) {
                               if (ec) return self->AbandonBody();
                               // The wake holds the session while the
                               // producer works (no read or write is
                               // pending then); FinishBody and AbandonBody
                               // let go of it.
                               auto executor = self->stream_.get_executor();
                               self->body_->SetWake([self, executor] {
                                 asio::post(executor,
                                            [self] { self->PumpBody(); });
                               });
                             });
  }

  void PumpBody() {
    if (!body_ || body_writing_) return;  // a write's completion pumps
    HttpBodyStream::Taken taken = body_->Take();
    if (!first_chunk_.empty()) {
      taken.data.insert(0, first_chunk_);
      first_chunk_.clear();
    }
    if (taken.data.empty()) {
      if (taken.ended) FinishBody(taken.ok);
      return;
    }
    body_writing_ = true;
    auto data = std::make_shared<std::string>(std::move(taken.data));
    stream_.expires_after(kHttpReadTimeout);
    asio::async_write(stream_, http::make_chunk(asio::buffer(*data)),
                      [self = shared_from_this(), data, taken_end = taken.ended,
                       taken_ok = taken.ok](beast::error_code ec, size_t) {
                        self->body_writing_ = false;
                        if (ec) return self->AbandonBody();
                        if (taken_end) return self->FinishBody(taken_ok);
                        self->PumpBody();
                      });
  }

  // The producer ended: the last chunk, or (broken) a cut connection.
  void FinishBody(bool ok) {
    body_->SetWake(nullptr);
    body_.reset();
    if (!ok) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    stream_.expires_after(kHttpReadTimeout);
    asio::async_write(
        stream_, http::make_chunk_last(),
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec || !self->keep_alive_) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both,
                                            ignored);
            return;
          }
          self->Read();
        });
  }

  // The client is gone: the producer is told to stop.
  void AbandonBody() {
    if (body_) {
      body_->Cancel();
      body_.reset();
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  IoLoop* loop_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;  // the one being answered
  const HttpHandler* handler_ = nullptr;      // its Handle route, if any
  std::shared_ptr<HttpBodyStream> body_;      // a streamed reply in progress
  std::string first_chunk_;                   // its response's own body
  bool body_writing_ = false;
  bool keep_alive_ = false;
  Server::Impl* server_;
};

Status Server::Impl::Start() {
  if (started_) return Status::Internal("server already started");
  if (host_policy_.enforce_domain && host_policy_.domain.empty()) {
    return Status::InvalidArgument(
        "enforce_domain needs a root_url with a host name, not \"" +
        config().root_url + "\"");
  }
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
  env_->on_finished = [this](SocketSession* session) {
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
          if (ec == asio::error::connection_aborted) {
            Accept();  // that client left before its turn: nothing is wrong
            return;
          }
          // E.g. out of file descriptors: pause instead of spinning.
          PauseAccepting(accept_backoff_.OnFailure(ec));
          return;
        }
        accept_backoff_.OnSuccess();
        StartHttp(std::move(s), loop);
        // Take what else is waiting now: one accept per loop turn would cap
        // new connections at a few hundred a second while loop 0 is busy
        // fanning out. An error (or none waiting) ends the burst; the next
        // async_accept reports it.
        // Only a connection taken turns the round robin: an attempt that
        // finds none waiting must not, or with two loops every connection
        // arriving on its own would go to the same loop.
        for (int i = 1; i < kAcceptBurst; ++i) {
          tcp::socket more(acceptor_.get_executor());
          beast::error_code burst_ec;
          acceptor_.accept(more, burst_ec);
          if (burst_ec) break;
          IoLoop* next = &loops_.Next();
          tcp::socket moved(next->context());
          const tcp::endpoint local = more.local_endpoint(burst_ec);
          if (!burst_ec) {
            moved.assign(local.protocol(), more.release(burst_ec), burst_ec);
          }
          if (burst_ec) continue;  // that client is gone: take the next
          StartHttp(std::move(moved), next);
        }
        Accept();
      });
}

void Server::Impl::PauseAccepting(std::chrono::milliseconds pause) {
  accept_retry_.expires_after(pause);
  accept_retry_.async_wait([this](beast::error_code wait_ec) {
    if (!wait_ec && acceptor_.is_open()) Accept();
  });
}

void Server::Impl::StartHttp(tcp::socket socket, IoLoop* loop) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<HttpSession>(std::move(socket), loop, this);
  asio::post(loop->context(), [session] { session->Start(); });
}

HostVerdict Server::Impl::CheckHostOf(
    const http::request<http::string_body>& request, bool upgrade) const {
  HostRequest host;
  for (auto [it, end] = request.equal_range(http::field::host); it != end;
       ++it) {
    host.hosts.push_back(ToStd(it->value()));
  }
  host.version = request.version();
  host.target = ToStd(request.target());
  host.api_or_upgrade = upgrade || host.target.rfind("/api/", 0) == 0;
  return CheckHost(host, host_policy_);
}

int Server::Impl::CheckUpgrade(
    const http::request<http::string_body>& request) const {
  std::string_view target = ToStd(request.target());
  std::string_view path = target.substr(0, target.find('?'));
  if (path != kLiveWsPath && FindEndpoint(path) == nullptr) return 404;
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
  std::string_view target = ToStd(request.target());
  const MessageEndpoint* endpoint =
      FindEndpoint(target.substr(0, target.find('?')));
  std::shared_ptr<SocketSession> session;
  std::function<void(std::string)> start;
  if (endpoint != nullptr) {
    auto socket_session = std::make_shared<MessageSocket>(
        std::move(socket), loop, endpoint->config, &env_->slow_disconnects,
        PlainRequest(request), endpoint->handler, env_->on_finished);
    start = [socket_session](std::string response) {
      socket_session->Start(std::move(response));
    };
    session = std::move(socket_session);
  } else {
    auto client =
        std::make_shared<ClientSession>(std::move(socket), loop, env_);
    start = [client](std::string response) {
      client->Start(std::move(response));
    };
    session = std::move(client);
  }
  {
    absl::MutexLock lock(&sessions_mutex_);
    if (!accepting_clients_) return;  // shutting down: drop the socket
    sessions_.emplace(session.get(), session);
  }
  ++connections_total_;
  const bool offers_json = ws::OffersSubprotocol(
      ToStd(request[http::field::sec_websocket_protocol]), kSubprotocol);
  start(ws::UpgradeResponse(
      ToStd(request[http::field::sec_websocket_key]),
      offers_json && endpoint == nullptr ? kSubprotocol : ""));
}

void Server::Impl::OnSessionFinished(SocketSession* session) {
  absl::MutexLock lock(&sessions_mutex_);
  sessions_.erase(session);
}

const HttpRoute* Server::Impl::FindRoute(std::string_view method,
                                         std::string_view path,
                                         const HttpHandler** handler) const {
  for (const auto& [route, route_handler] : handlers_) {
    if (RouteMatches(route, method, path)) {
      *handler = &route_handler;
      return &route;
    }
  }
  return nullptr;
}

const MessageEndpoint* Server::Impl::FindEndpoint(std::string_view path) const {
  for (const MessageEndpoint& endpoint : endpoints_) {
    const std::string& prefix = endpoint.route.path_prefix;
    if (path.size() > prefix.size() &&
        path.substr(0, prefix.size()) == prefix) {
      return &endpoint;
    }
  }
  return nullptr;
}

HttpResponse Server::Impl::Route(const HttpRequest& request) const {
  if (auto it = routes_.find(request.path); it != routes_.end()) {
    return it->second(request);
  }
  if (request.path == kLiveListPath) {
    std::string body = "{\"channels\":[";
    bool first = true;
    for (const HubChannelInfo& info : env_->hub->Channels()) {
      if (!first) body.push_back(',');
      first = false;
      body.append("{\"channel\":");
      AppendJSONString(info.channel, body);
      body.append(",\"subscribers\":");
      body.append(std::to_string(info.subscribers));
      body.push_back('}');
    }
    body.append("]}");
    HttpResponse response;
    response.body = std::move(body);
    return response;
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
  std::vector<std::shared_ptr<SocketSession>> open;
  {
    absl::MutexLock lock(&sessions_mutex_);
    accepting_clients_ = false;
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->Close(kDisconnectShutdown, true);
  open.clear();
  {
    absl::MutexLock lock(&sessions_mutex_);
    if (!sessions_mutex_.AwaitWithTimeout(
            absl::Condition(this, &Impl::NoSessionsLocked), kShutdownWait)) {
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
    absl::MutexLock lock(&sessions_mutex_);
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

void Server::Handle(HttpRoute route, HttpHandler handler) {
  impl_->Handle(std::move(route), std::move(handler));
}

void Server::HandleWebSocket(WebSocketRoute route,
                             WebSocketMessageHandler handler) {
  impl_->HandleWebSocket(std::move(route), std::move(handler));
}

Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Shutdown() { impl_->Shutdown(); }
LiveStats Server::Stats() const { return impl_->Stats(); }

}  // namespace runnel::host
