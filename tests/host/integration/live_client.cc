#include "live_client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace runnel::host::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

}  // namespace

LiveClient::LiveClient() : ws_(ioc_) {}

LiveClient::~LiveClient() {
  beast::error_code ec;
  ws_.next_layer().close(ec);
}

bool LiveClient::Open(uint16_t port, const OpenOptions& options,
                      int* http_status, std::string* error) {
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
    *error = "connect: " + ec.message();
    *http_status = 0;
    return false;
  }
  std::string origin = options.origin;
  ws_.set_option(websocket::stream_base::decorator(
      [origin](websocket::request_type& request) {
        if (!origin.empty()) request.set(http::field::origin, origin);
      }));
  websocket::response_type response;
  ws_.handshake(response, "127.0.0.1:" + std::to_string(port), options.path,
                ec);
  *http_status = static_cast<int>(response.result_int());
  if (ec) {
    *error = "handshake: " + ec.message();
    return false;
  }
  ws_.read_message_max(64 * 1024 * 1024);
  open_ = true;
  return true;
}

bool LiveClient::SendText(std::string_view text) {
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

LiveClient::ReadResult LiveClient::ReadFrame(Clock::time_point deadline) {
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
    } else {
      close_code_ = -1;
      if (std::getenv("RUNNEL_TEST_DEBUG"))
        fprintf(stderr, "read error: %s\n", read_error_.message().c_str());
    }
    return ReadResult::kClosed;
  }
  std::string frame = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  HandleFrame(frame);
  return ReadResult::kFrame;
}

void LiveClient::HandleFrame(std::string_view frame) {
  size_t start = 0;
  while (start < frame.size()) {
    size_t end = frame.find('\n', start);
    if (end == std::string_view::npos) end = frame.size();
    std::string_view line = frame.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    Json reply = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded()) {
      undecodable_.push_back(std::string(line));
      continue;
    }
    if (reply.is_object() && reply.empty()) {
      ++pings_seen_;
      if (auto_pong_) SendText("{}");
    } else if (reply.contains("push")) {
      pushes_.push_back(reply["push"]);
    } else {
      replies_.push_back(std::move(reply));
    }
  }
}

Json LiveClient::Call(const std::string& method, Json params, Millis timeout) {
  uint32_t id = next_id_++;
  Json command = {{"id", id}, {method, std::move(params)}};
  if (!SendText(command.dump())) return nullptr;
  auto deadline = Clock::now() + timeout;
  while (true) {
    for (auto it = replies_.begin(); it != replies_.end(); ++it) {
      if (it->value("id", 0u) == id) {
        Json reply = std::move(*it);
        replies_.erase(it);
        return reply;
      }
    }
    if (ReadFrame(deadline) != ReadResult::kFrame) return nullptr;
  }
}

std::optional<Json> LiveClient::NextPush(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (pushes_.empty()) {
    if (ReadFrame(deadline) != ReadResult::kFrame) return std::nullopt;
  }
  Json push = std::move(pushes_.front());
  pushes_.pop_front();
  return push;
}

int LiveClient::CountPublications(const std::string& channel, Millis duration) {
  auto deadline = Clock::now() + duration;
  int count = 0;
  while (true) {
    // Pushes already queued count even when the time is up.
    Millis left = std::max(
        Millis(0), std::chrono::duration_cast<Millis>(deadline - Clock::now()));
    if (pushes_.empty() && left.count() == 0) break;
    auto push = NextPush(left);
    if (!push) break;
    if (push->value("channel", "") == channel && push->contains("pub")) {
      ++count;
    }
  }
  return count;
}

int LiveClient::WaitClosed(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (!closed_) {
    if (ReadFrame(deadline) == ReadResult::kTimeout) return 0;
  }
  return close_code_;
}

void LiveClient::Pump(Millis duration) {
  auto deadline = Clock::now() + duration;
  while (!closed_ && ReadFrame(deadline) == ReadResult::kFrame) {
  }
}

int UpgradeStatus(uint16_t port, const std::string& origin) {
  try {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> request(http::verb::get, "/api/live/ws",
                                            11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::sec_websocket_version, "13");
    request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    if (!origin.empty()) request.set(http::field::origin, origin);
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 101 has no body; read the header only
    http::read_header(socket, buffer, parser);
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    return static_cast<int>(parser.get().result_int());
  } catch (const std::exception&) {
    return 0;
  }
}

int HttpGet(uint16_t port, const std::string& target, std::string* body) {
  try {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    *body = response.body();
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    return static_cast<int>(response.result_int());
  } catch (const std::exception& e) {
    *body = e.what();
    return 0;
  }
}

double MetricValue(const std::string& metrics, const std::string& sample) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(sample + " ", 0) == 0) {
      return std::stod(line.substr(sample.size() + 1));
    }
  }
  return -1;
}

}  // namespace runnel::host::testing
