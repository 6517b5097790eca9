#include "support/http_get.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace runnel::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

HttpResult Send(uint16_t port, http::request<http::string_body> request) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect({boost::asio::ip::make_address("127.0.0.1"), port},
                          ec);
  if (ec) return {0, "connect: " + ec.message(), ""};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return {0, "write: " + ec.message(), ""};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, ec);
  if (ec) return {0, "read: " + ec.message(), ""};
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  const auto& response = parser.get();
  return {static_cast<int>(response.result_int()), response.body(),
          std::string(response[http::field::content_type])};
}

}  // namespace

HttpResult HttpGet(uint16_t port, const std::string& target) {
  return Send(port,
              http::request<http::string_body>(http::verb::get, target, 11));
}

HttpResult HttpPost(uint16_t port, const std::string& target,
                    const std::string& body, const std::string& content_type) {
  http::request<http::string_body> request(http::verb::post, target, 11);
  request.set(http::field::content_type, content_type);
  request.body() = body;
  return Send(port, std::move(request));
}

std::string SendUntil(uint16_t port, const std::string& raw_request,
                      const std::string& wanted) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "";
  timeval timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
             sizeof timeout);
  boost::asio::write(socket, boost::asio::buffer(raw_request), ec);
  std::string received;
  char buffer[4096];
  while (!ec && received.find(wanted) == std::string::npos) {
    size_t n = socket.read_some(boost::asio::buffer(buffer), ec);
    received.append(buffer, n);
  }
  return ec ? "" : received;
}

}  // namespace runnel::testing
