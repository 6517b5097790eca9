#include "support/http_get.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace runnel::testing {

HttpResult HttpGet(uint16_t port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect({boost::asio::ip::make_address("127.0.0.1"), port},
                          ec);
  if (ec) return {0, "connect: " + ec.message(), ""};
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  http::write(stream, request, ec);
  if (ec) return {0, "write: " + ec.message(), ""};
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, ec);
  if (ec) return {0, "read: " + ec.message(), ""};
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return {static_cast<int>(response.result_int()), response.body(),
          std::string(response[http::field::content_type])};
}

}  // namespace runnel::testing
