// The HTTP server's answers to requests it cannot or will not serve, over
// raw sockets: malformed request lines (400), header sections over
// max_header_bytes (431) or URLs that alone are (414), missing or doubled
// Host headers (400, as Go's net/http), and [server] enforce_domain (421
// for API calls and upgrades, 301 to root_url for pages).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "live/server.h"
#include "live_server_fixture.h"
#include "support/raw_ws_client.h"

namespace runnel::host {
namespace {

using namespace ::runnel::testing;  // the raw client
using namespace std::chrono_literals;

class HttpHardeningTest : public ::runnel::host::testing::LiveServerTest {
 protected:
  void StartServer(const LiveConfig& config = TestConfig()) {
    LiveServerTest::StartServer(config, nullptr);
  }

  // Sends `request` as it is and reads the response head; the status, or
  // -1 when no response came (a bare close).
  int StatusOf(const std::string& request, HttpHead* head_out = nullptr) {
    RawWsClient client;
    if (!client.ConnectTcp(port_) || !client.Send(request)) return -2;
    std::optional<HttpHead> head = client.ReadHttpHead();
    if (!head) return -1;
    if (head_out) *head_out = *head;
    return head->status;
  }

  std::string Host() const {
    return "Host: 127.0.0.1:" + std::to_string(port_);
  }

  std::string Upgrade(const std::string& host_line,
                      const std::string& extra = "") const {
    return "GET /api/live/ws HTTP/1.1\r\n" + host_line +
           "\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n" +
           extra + "\r\n";
  }
};

TEST_F(HttpHardeningTest, MalformedRequestLinesAre400) {
  StartServer();
  EXPECT_EQ(StatusOf("GARBAGE\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/9.9\r\n" + Host() + "\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /\r\n\r\n"), 400);  // HTTP/0.9
  EXPECT_EQ(StatusOf("G\x01T / HTTP/1.1\r\n" + Host() + "\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nno colon here\r\n\r\n"), 400);
}

TEST_F(HttpHardeningTest, HeadersOverTheLimitAre431) {
  LiveConfig config = TestConfig();
  config.max_header_bytes = 16 * 1024;
  StartServer(config);
  const std::string cookie =
      "Cookie: a=" + std::string(20 * 1024, 'c') + "\r\n";
  EXPECT_EQ(StatusOf(Upgrade(Host(), cookie)), 431);
  // Under the limit the same upgrade works.
  EXPECT_EQ(StatusOf(Upgrade(Host(), "Cookie: a=b\r\n")), 101);
}

TEST_F(HttpHardeningTest, UrlOverTheLimitIs414) {
  LiveConfig config = TestConfig();
  config.max_header_bytes = 16 * 1024;
  StartServer(config);
  const std::string url = "/api/x?q=" + std::string(100 * 1024, 'u');
  EXPECT_EQ(StatusOf("GET " + url + " HTTP/1.1\r\n" + Host() + "\r\n\r\n"),
            414);
}

// The default limit is Go's 1 MB: a browser with 16 KB of cookies opens
// /api/live/ws, and a 100 KB URL is answered, not dropped.
TEST_F(HttpHardeningTest, DefaultLimitTakesBigCookiesAndUrls) {
  StartServer();
  const std::string cookies =
      "Cookie: grafana_session=" + std::string(16 * 1024, 's') + "\r\n";
  EXPECT_EQ(StatusOf(Upgrade(Host(), cookies)), 101);
  const std::string url = "/api/x?q=" + std::string(100 * 1024, 'u');
  EXPECT_EQ(StatusOf("GET " + url + " HTTP/1.1\r\n" + Host() + "\r\n\r\n"),
            404);
}

TEST_F(HttpHardeningTest, Http11NeedsExactlyOneHost) {
  StartServer();
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\n" + Host() + "\r\n" +
                     Host() + "\r\n\r\n"),
            400);
  EXPECT_EQ(StatusOf(Upgrade("Host: a\r\nHost: b")), 400);
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\n" + Host() + "\r\n\r\n"),
            200);
  // HTTP/1.0 needs none.
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.0\r\n\r\n"), 200);
}

TEST_F(HttpHardeningTest, EnforceDomainRefusesOtherHosts) {
  LiveConfig config = TestConfig();
  config.enforce_domain = true;
  StartServer(config);
  // A page on evil.example that rebinds its name to this server.
  EXPECT_EQ(StatusOf(Upgrade("Host: evil.example:3000")), 421);
  EXPECT_EQ(
      StatusOf("GET /api/live/list HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
      421);
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            421);
  HttpHead head;
  EXPECT_EQ(
      StatusOf("GET /d/abc?x=1 HTTP/1.1\r\nHost: evil.example\r\n\r\n", &head),
      301);
  EXPECT_EQ(head.Get("Location"),
            std::optional<std::string>("http://localhost:3000/d/abc?x=1"));
  // root_url's host, on any port and in any case, is served.
  EXPECT_EQ(StatusOf(Upgrade("Host: localhost:3000")), 101);
  EXPECT_EQ(StatusOf(Upgrade("Host: LocalHost:" + std::to_string(port_))), 101);
  EXPECT_EQ(StatusOf("GET /api/live/list HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            200);
}

TEST_F(HttpHardeningTest, WithoutEnforceDomainAnyHostIsServed) {
  StartServer();
  EXPECT_EQ(StatusOf(Upgrade("Host: evil.example:3000")), 101);
}

TEST_F(HttpHardeningTest, EnforceDomainNeedsARootUrlHost) {
  LiveConfig config = TestConfig();
  config.enforce_domain = true;
  config.root_url = "";
  Server server(config, hub_, nullptr);
  Status status = server.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("enforce_domain"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace runnel::host
