#include "live/ws_handshake.h"

#include <gtest/gtest.h>

namespace runnel::host::ws {
namespace {

TEST(WsHandshakeTest, AcceptKeyIsRfc6455Example) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshakeTest, ChecksKeyAndVersion) {
  EXPECT_EQ(CheckUpgradeHeaders("dGhlIHNhbXBsZSBub25jZQ==", "13"), 0);
  EXPECT_EQ(CheckUpgradeHeaders(" dGhlIHNhbXBsZSBub25jZQ== ", " 13"), 0);
  EXPECT_EQ(CheckUpgradeHeaders("dGhlIHNhbXBsZSBub25jZQ==", "8"), 426);
  EXPECT_EQ(CheckUpgradeHeaders("dGhlIHNhbXBsZSBub25jZQ==", ""), 426);
  EXPECT_EQ(CheckUpgradeHeaders("", "13"), 400);
  EXPECT_EQ(CheckUpgradeHeaders("short==", "13"), 400);
  EXPECT_EQ(CheckUpgradeHeaders("dGhlIHNhbXBsZSBub25jZQ!=", "13"), 400);
  EXPECT_EQ(CheckUpgradeHeaders("dGhl*HNhbXBsZSBub25jZQ==", "13"), 400);
}

TEST(WsHandshakeTest, SubprotocolListIsMatchedByToken) {
  EXPECT_TRUE(OffersSubprotocol("centrifuge-json", "centrifuge-json"));
  EXPECT_TRUE(OffersSubprotocol("a, centrifuge-json ,b", "centrifuge-json"));
  EXPECT_FALSE(OffersSubprotocol("centrifuge-protobuf", "centrifuge-json"));
  EXPECT_FALSE(OffersSubprotocol("", "centrifuge-json"));
}

TEST(WsHandshakeTest, ResponseSwitchesProtocolsAndEchoesTheSubprotocol) {
  std::string response =
      UpgradeResponse("dGhlIHNhbXBsZSBub25jZQ==", "centrifuge-json");
  EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
                          "\r\n"),
            std::string::npos);
  EXPECT_NE(response.find("Sec-WebSocket-Protocol: centrifuge-json\r\n"),
            std::string::npos);
  EXPECT_EQ(response.substr(response.size() - 4), "\r\n\r\n");
  EXPECT_EQ(UpgradeResponse("dGhlIHNhbXBsZSBub25jZQ==", "")
                .find("Sec-WebSocket-Protocol"),
            std::string::npos);
}

}  // namespace
}  // namespace runnel::host::ws
