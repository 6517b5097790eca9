#include "ws_test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace runnel::host::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

WsTestClient::WsTestClient() : ws_(ioc_) {}

WsTestClient::~WsTestClient() {
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

bool WsTestClient::Open(uint16_t port, const Options& options) {
  beast::error_code ec;
  tcp::socket& socket = ws_.next_layer();
  socket.open(tcp::v4(), ec);
  if (ec) return false;
  if (options.receive_buffer > 0) {
    socket.set_option(
        asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return false;
  ws_.set_option(websocket::stream_base::decorator(
      [options](websocket::request_type& request) {
        if (!options.origin.empty()) {
          request.set(beast::http::field::origin, options.origin);
        }
        if (!options.subprotocol.empty()) {
          request.set(beast::http::field::sec_websocket_protocol,
                      options.subprotocol);
        }
      }));
  ws_.read_message_max(0);
  websocket::response_type response;
  bool done = false;
  ws_.async_handshake(response, "127.0.0.1:" + std::to_string(port),
                      options.path, [&](beast::error_code e) {
                        ec = e;
                        done = true;
                      });
  ioc_.restart();
  ioc_.run_for(5s);
  http_status_ = response.result_int();
  if (!done || ec) {
    socket.close(ec);
    return false;
  }
  subprotocol_ =
      std::string(response[beast::http::field::sec_websocket_protocol]);
  return true;
}

bool WsTestClient::SendText(const std::string& text) {
  beast::error_code ec;
  ws_.text(true);
  ws_.write(asio::buffer(text), ec);
  return !ec;
}

std::optional<std::string> WsTestClient::ReadFrame(
    std::chrono::milliseconds deadline) {
  if (closed_) return std::nullopt;
  beast::error_code ec;
  bool done = false;
  buffer_.clear();
  ws_.async_read(buffer_, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  ioc_.restart();
  ioc_.run_for(deadline);
  if (!done) {
    // Deadline: abandon the connection (the pending read is cancelled).
    beast::error_code ignored;
    ws_.next_layer().cancel(ignored);
    ioc_.restart();
    ioc_.run_for(1s);
    closed_ = true;
    return std::nullopt;
  }
  if (ec) {
    closed_ = true;
    if (ec == websocket::error::closed) {
      close_code_ = ws_.reason().code;
      close_reason_ = std::string(ws_.reason().reason.c_str());
    }
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer_.data());
}

std::optional<nlohmann::json> WsTestClient::ReadReply(
    std::chrono::milliseconds deadline) {
  while (pending_lines_.empty()) {
    std::optional<std::string> frame = ReadFrame(deadline);
    if (!frame) return std::nullopt;
    size_t start = 0;
    while (start <= frame->size()) {
      size_t end = frame->find('\n', start);
      if (end == std::string::npos) end = frame->size();
      pending_lines_.push_back(frame->substr(start, end - start));
      start = end + 1;
    }
  }
  std::string line = std::move(pending_lines_.front());
  pending_lines_.pop_front();
  return nlohmann::json::parse(line);  // a bad line throws: the test fails
}

int WsTestClient::WaitForClose(std::chrono::milliseconds deadline,
                               size_t* replies_seen) {
  auto until = std::chrono::steady_clock::now() + deadline;
  size_t seen = pending_lines_.size();
  pending_lines_.clear();
  while (!closed_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::optional<std::string> frame = ReadFrame(left);
    if (!frame) break;
    seen +=
        1 + static_cast<size_t>(std::count(frame->begin(), frame->end(), '\n'));
  }
  if (replies_seen) *replies_seen = seen;
  return close_code_;
}

nlohmann::json WsTestClient::Connect(uint32_t id) {
  nlohmann::json command = {{"connect", {{"name", "js"}}}, {"id", id}};
  if (!SendText(command.dump())) return nullptr;
  std::optional<nlohmann::json> reply = ReadReply();
  if (!reply || !reply->contains("connect")) return nullptr;
  return (*reply)["connect"];
}

}  // namespace runnel::host::testing
