#include "support/ws_client.h"

#include <algorithm>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <cstdlib>

namespace runnel::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

bool IsPing(const nlohmann::json& reply) {
  return reply.is_object() && reply.empty();
}

}  // namespace

WsClient::WsClient() : ws_(ioc_) {}

WsClient::~WsClient() {
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

bool WsClient::Open(uint16_t port, const Options& options) {
  auto_pong_ = options.auto_pong;
  http_status_ = 0;
  beast::error_code ec;
  tcp::socket& socket = ws_.next_layer();
  socket.open(tcp::v4(), ec);
  if (!ec && options.receive_buffer > 0) {
    socket.set_option(
        asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  if (!ec) {
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                   ec);
  }
  if (ec) {
    error_ = "connect: " + ec.message();
    return false;
  }
  ws_.set_option(websocket::stream_base::decorator(
      [options](websocket::request_type& request) {
        if (!options.origin.empty()) {
          request.set(http::field::origin, options.origin);
        }
        if (!options.subprotocol.empty()) {
          request.set(http::field::sec_websocket_protocol, options.subprotocol);
        }
      }));
  ws_.read_message_max(0);  // no limit: the tests decide what is too big
  websocket::response_type response;
  bool done = false;
  ws_.async_handshake(response, "127.0.0.1:" + std::to_string(port),
                      options.path, [&](beast::error_code e) {
                        ec = e;
                        done = true;
                      });
  ioc_.restart();
  ioc_.run_for(std::chrono::seconds(5));
  http_status_ = static_cast<int>(response.result_int());
  if (!done || ec) {
    error_ = "handshake: " + (done ? ec.message() : std::string("time-out"));
    socket.close(ec);
    return false;
  }
  subprotocol_ = std::string(response[http::field::sec_websocket_protocol]);
  open_ = true;
  return true;
}

bool WsClient::SendText(std::string_view text) {
  if (!open_ || closed_) return false;
  bool done = false;
  beast::error_code error;
  ws_.text(true);
  ws_.async_write(asio::buffer(text.data(), text.size()),
                  [&](beast::error_code ec, size_t) {
                    error = ec;
                    done = true;
                  });
  // Run until the write completes; a pending read may complete meanwhile.
  auto deadline = Clock::now() + Millis(10000);
  while (!done && Clock::now() < deadline) {
    if (ioc_.stopped()) ioc_.restart();
    ioc_.run_one_until(deadline);
  }
  return done && !error;
}

WsClient::ReadResult WsClient::ReadFrame(Clock::time_point deadline) {
  if (closed_) return ReadResult::kClosed;
  if (!read_pending_ && !read_done_) {
    read_pending_ = true;
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
      read_pending_ = false;
      read_done_ = true;
      read_error_ = ec;
    });
  }
  while (!read_done_) {
    if (Clock::now() >= deadline) return ReadResult::kTimeout;
    if (ioc_.stopped()) ioc_.restart();
    ioc_.run_one_until(deadline);
  }
  read_done_ = false;
  if (read_error_) {
    closed_ = true;
    if (read_error_ == websocket::error::closed) {
      close_code_ = ws_.reason().code;
      close_reason_ = std::string(ws_.reason().reason.c_str());
    } else {
      close_code_ = -1;
      if (std::getenv("RUNNEL_TEST_DEBUG")) {
        std::fprintf(stderr, "read error: %s\n", read_error_.message().c_str());
      }
    }
    return ReadResult::kClosed;
  }
  std::string frame = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  HandleFrame(frame);
  return ReadResult::kFrame;
}

void WsClient::HandleFrame(std::string_view frame) {
  // Every line counts, an empty one too: the server never sends one, so it
  // is undecodable.
  size_t start = 0;
  while (start <= frame.size()) {
    size_t end = frame.find('\n', start);
    if (end == std::string_view::npos) end = frame.size();
    std::string_view text = frame.substr(start, end - start);
    start = end + 1;
    Line line{std::string(text),
              JSON::parse(text, nullptr, /*allow_exceptions=*/false)};
    if (line.json.is_discarded()) {
      undecodable_.push_back(line.text);
    } else if (IsPing(line.json)) {
      ++pings_seen_;
      if (auto_pong_) SendText("{}");
    }
    lines_.push_back(std::move(line));
  }
}

template <typename Match>
std::optional<nlohmann::json> WsClient::Take(Match match) {
  for (auto it = lines_.begin(); it != lines_.end(); ++it) {
    if (!it->json.is_discarded() && match(it->json)) {
      JSON json = std::move(it->json);
      lines_.erase(it);
      return json;
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::json> WsClient::ReadReply(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (lines_.empty()) {
    if (ReadFrame(deadline) != ReadResult::kFrame) return std::nullopt;
  }
  Line line = std::move(lines_.front());
  lines_.pop_front();
  if (line.json.is_discarded()) return JSON::parse(line.text);  // throws
  return std::move(line.json);
}

nlohmann::json WsClient::Call(const std::string& method, JSON params,
                              Millis timeout) {
  uint32_t id = next_id_++;
  JSON command = {{"id", id}, {method, std::move(params)}};
  if (!SendText(command.dump())) return nullptr;
  auto deadline = Clock::now() + timeout;
  while (true) {
    std::optional<JSON> reply = Take([id](const JSON& json) {
      return json.is_object() && json.value("id", 0u) == id;
    });
    if (reply) return *std::move(reply);
    if (ReadFrame(deadline) != ReadResult::kFrame) return nullptr;
  }
}

std::optional<nlohmann::json> WsClient::NextPush(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    std::optional<JSON> reply = Take([](const JSON& json) {
      return json.is_object() && json.contains("push");
    });
    if (reply) return (*reply)["push"];
    if (ReadFrame(deadline) != ReadResult::kFrame) return std::nullopt;
  }
}

int WsClient::CountPublications(const std::string& channel, Millis duration) {
  auto deadline = Clock::now() + duration;
  int count = 0;
  while (true) {
    // Pushes already queued count even when the time is up.
    Millis left = std::max(
        Millis(0), std::chrono::duration_cast<Millis>(deadline - Clock::now()));
    std::optional<JSON> push = NextPush(left);
    if (!push) break;
    if (push->value("channel", "") == channel && push->contains("pub")) {
      ++count;
    }
  }
  return count;
}

int WsClient::WaitClosed(Millis timeout, size_t* replies_seen) {
  auto deadline = Clock::now() + timeout;
  size_t seen = 0;
  bool timed_out = false;
  while (true) {
    seen += lines_.size();
    lines_.clear();
    if (closed_) break;
    if (ReadFrame(deadline) == ReadResult::kTimeout) {
      timed_out = true;
      break;
    }
  }
  if (replies_seen != nullptr) *replies_seen = seen;
  return timed_out ? 0 : close_code_;
}

void WsClient::Pump(Millis duration) {
  auto deadline = Clock::now() + duration;
  while (!closed_ && ReadFrame(deadline) == ReadResult::kFrame) {
  }
}

}  // namespace runnel::testing
