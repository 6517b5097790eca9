#include "plugin/handshake_parser.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

Status Parse(std::string_view line, HandshakeInfo* info = nullptr) {
  HandshakeInfo ignored;
  return ParseHandshakeLine(line, info ? info : &ignored);
}

TEST(HandshakeParser, AcceptsGoPluginLineWithEmptyCert) {
  HandshakeInfo info;
  ASSERT_TRUE(Parse("1|2|unix|/tmp/plugin123|grpc|\n", &info).ok());
  EXPECT_EQ(info.core_version, 1);
  EXPECT_EQ(info.app_version, 2);
  EXPECT_EQ(info.network, "unix");
  EXPECT_EQ(info.address, "/tmp/plugin123");
  EXPECT_EQ(info.protocol, "grpc");
  EXPECT_EQ(info.server_cert, "");
  EXPECT_EQ(GrpcTarget(info), "unix:/tmp/plugin123");
}

TEST(HandshakeParser, AcceptsFivePartTcpLineWithSpaces) {
  HandshakeInfo info;
  ASSERT_TRUE(Parse("  1|2|tcp|127.0.0.1:10001|grpc \r\n", &info).ok());
  EXPECT_EQ(info.network, "tcp");
  EXPECT_EQ(GrpcTarget(info), "127.0.0.1:10001");
}

TEST(HandshakeParser, ShortCertIgnoredLongCertKept) {
  HandshakeInfo info;
  ASSERT_TRUE(Parse("1|2|unix|/s|grpc|abc", &info).ok());
  EXPECT_EQ(info.server_cert, "");
  std::string cert(51, 'A');
  ASSERT_TRUE(Parse("1|2|unix|/s|grpc|" + cert, &info).ok());
  EXPECT_EQ(info.server_cert, cert);
}

TEST(HandshakeParser, AcceptsMultiplexFlag) {
  EXPECT_TRUE(Parse("1|2|unix|/s|grpc||true").ok());
}

TEST(HandshakeParser, TooFewPartsIsUnrecognized) {
  Status s = Parse("hello world");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Unrecognized remote plugin message"),
            std::string::npos);
  EXPECT_NE(Parse("1|2|unix").message().find("Unrecognized"),
            std::string::npos);
  EXPECT_NE(Parse("").message().find("Unrecognized"), std::string::npos);
}

TEST(HandshakeParser, WrongCoreVersion) {
  Status s = Parse("2|2|unix|/s|grpc|");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("core protocol version 2"), std::string::npos);
  s = Parse("x|2|unix|/s|grpc|");
  EXPECT_NE(s.message().find("core protocol version \"x\" is not a number"),
            std::string::npos);
}

TEST(HandshakeParser, WrongAppVersion) {
  Status s = Parse("1|1|tcp|127.0.0.1:1234|grpc");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("plugin protocol version 1 not supported"),
            std::string::npos);
  s = Parse("1|-2|tcp|127.0.0.1:1234|grpc");
  EXPECT_NE(s.message().find("is not a number"), std::string::npos);
}

TEST(HandshakeParser, UnknownNetwork) {
  Status s = Parse("1|2|udp|127.0.0.1:1|grpc|");
  EXPECT_NE(s.message().find("unknown network type \"udp\""),
            std::string::npos);
}

TEST(HandshakeParser, MissingProtocolMeansNetrpcAndIsRejected) {
  Status s = Parse("1|2|tcp|127.0.0.1:1234");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unsupported plugin protocol \"netrpc\""),
            std::string::npos);
  s = Parse("1|2|tcp|127.0.0.1:1234|netrpc|");
  EXPECT_NE(s.message().find("\"netrpc\""), std::string::npos);
}

TEST(HandshakeParser, EmptyAddress) {
  EXPECT_NE(Parse("1|2|unix||grpc|").message().find("empty address"),
            std::string::npos);
}

TEST(HandshakeParser, ErrorsQuoteTheLine) {
  Status s = Parse("1|2|udp|x|grpc|");
  EXPECT_NE(s.message().find("\"1|2|udp|x|grpc|\""), std::string::npos);
}

}  // namespace
}  // namespace runnel::host
