// The go-plugin handshake as pure functions: the line, the cookie, version
// negotiation and the listener plan, against a fake environment.
#include "handshake.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace runnel::handshake {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
             std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(HandshakeLine, UnixLineHasSixPartsAndATrailingBar) {
  EXPECT_EQ(FormatHandshakeLine(1, 2, "unix", "/tmp/plugin123", "grpc"),
            "1|2|unix|/tmp/plugin123|grpc|");
}

TEST(HandshakeLine, TcpLineCarriesHostAndPort) {
  EXPECT_EQ(FormatHandshakeLine(1, 2, "tcp", "127.0.0.1:10000", "grpc"),
            "1|2|tcp|127.0.0.1:10000|grpc|");
}

TEST(HandshakeLine, ConstantsAreGrafanas) {
  EXPECT_EQ(kMagicCookieKey, "grafana_plugin_type");
  EXPECT_EQ(kMagicCookieValue, "datasource");
  EXPECT_EQ(kCoreProtocolVersion, 1);
  EXPECT_EQ(kAppProtocolVersion, 2);
  EXPECT_EQ(kProtocolName, "grpc");
}

TEST(Cookie, MatchesOnlyTheExactValue) {
  EXPECT_TRUE(CookieMatches(FakeEnv({{"grafana_plugin_type", "datasource"}})));
  EXPECT_FALSE(CookieMatches(FakeEnv({})));
  EXPECT_FALSE(CookieMatches(FakeEnv({{"grafana_plugin_type", ""}})));
  EXPECT_FALSE(CookieMatches(FakeEnv({{"grafana_plugin_type", "app"}})));
  EXPECT_FALSE(
      CookieMatches(FakeEnv({{"grafana_plugin_type", "datasource "}})));
}

TEST(Negotiate, PicksTheHighestCommonVersion) {
  int v = 0;
  ASSERT_TRUE(NegotiateProtocolVersion("2", {2}, &v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(NegotiateProtocolVersion("1,2", {2}, &v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(NegotiateProtocolVersion("2,1", {1, 2}, &v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(NegotiateProtocolVersion("1,2,3", {1, 2}, &v).ok());
  EXPECT_EQ(v, 2);
}

TEST(Negotiate, UnsetMeansThePluginsOwnVersion) {
  int v = 0;
  ASSERT_TRUE(NegotiateProtocolVersion("", {2}, &v).ok());
  EXPECT_EQ(v, 2);
}

TEST(Negotiate, SkipsEntriesThatAreNotNumbers) {
  int v = 0;
  ASSERT_TRUE(NegotiateProtocolVersion("x,2", {2}, &v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(NegotiateProtocolVersion(" 2 ", {2}, &v).ok());
  EXPECT_EQ(v, 2);
}

TEST(Negotiate, NoCommonVersionIsAClearError) {
  int v = -7;
  Status s = NegotiateProtocolVersion("1,3", {2}, &v);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("1,3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("speaks 2"), std::string::npos) << s.message();
  EXPECT_EQ(v, -7);
  EXPECT_FALSE(NegotiateProtocolVersion("abc", {2}, &v).ok());
  EXPECT_FALSE(NegotiateProtocolVersion(",", {2}, &v).ok());
}

TEST(PlanListener, DefaultsToAUnixSocketInTheGivenDir) {
  ListenPlan plan;
  ASSERT_TRUE(
      PlanListener(FakeEnv({{"PLUGIN_UNIX_SOCKET_DIR", "/run/x"}}), &plan)
          .ok());
  EXPECT_EQ(plan.network, ListenPlan::Network::kUnix);
  EXPECT_EQ(plan.unix_socket_dir, "/run/x");
}

TEST(PlanListener, TcpWhenAskedWithThePortRange) {
  ListenPlan plan;
  ASSERT_TRUE(PlanListener(FakeEnv({{"RUNNEL_PLUGIN_TRANSPORT", "tcp"},
                                    {"PLUGIN_MIN_PORT", "12000"},
                                    {"PLUGIN_MAX_PORT", "12010"}}),
                           &plan)
                  .ok());
  EXPECT_EQ(plan.network, ListenPlan::Network::kTcp);
  EXPECT_EQ(plan.min_port, 12000);
  EXPECT_EQ(plan.max_port, 12010);
}

TEST(PlanListener, TcpDefaultsToGoPluginsRange) {
  ListenPlan plan;
  ASSERT_TRUE(
      PlanListener(FakeEnv({{"RUNNEL_PLUGIN_TRANSPORT", "tcp"}}), &plan).ok());
  EXPECT_EQ(plan.min_port, 10000);
  EXPECT_EQ(plan.max_port, 25000);
}

TEST(PlanListener, RejectsBadValues) {
  ListenPlan plan;
  EXPECT_FALSE(
      PlanListener(FakeEnv({{"RUNNEL_PLUGIN_TRANSPORT", "udp"}}), &plan).ok());
  EXPECT_FALSE(PlanListener(FakeEnv({{"PLUGIN_MIN_PORT", "ten"}}), &plan).ok());
  EXPECT_FALSE(
      PlanListener(FakeEnv({{"PLUGIN_MAX_PORT", "70000"}}), &plan).ok());
  EXPECT_FALSE(PlanListener(FakeEnv({{"RUNNEL_PLUGIN_TRANSPORT", "tcp"},
                                     {"PLUGIN_MIN_PORT", "200"},
                                     {"PLUGIN_MAX_PORT", "100"}}),
                            &plan)
                   .ok());
}

TEST(NextListenAddress, UnixPathIsFreshAndInTheDir) {
  runnel::testing::TempDir dir;
  ListenPlan plan;
  plan.unix_socket_dir = dir.path();
  int next_port = 0;
  ListenAddress a, b;
  ASSERT_TRUE(NextListenAddress(plan, &next_port, &a).ok());
  ASSERT_TRUE(NextListenAddress(plan, &next_port, &b).ok());
  EXPECT_EQ(a.network, "unix");
  EXPECT_EQ(std::filesystem::path(a.address).parent_path(),
            std::filesystem::path(dir.path()));
  EXPECT_EQ(a.grpc_uri, "unix:" + a.address);
  EXPECT_EQ(a.socket_path, a.address);
  EXPECT_NE(a.address, b.address);
  // The temp file was deleted so the server can bind there.
  EXPECT_FALSE(std::filesystem::exists(a.address));
}

TEST(NextListenAddress, UnixInAMissingDirIsAnError) {
  ListenPlan plan;
  plan.unix_socket_dir = "/nonexistent/runnel/dir";
  int next_port = 0;
  ListenAddress a;
  EXPECT_EQ(NextListenAddress(plan, &next_port, &a).code(),
            StatusCode::kUnavailable);
}

TEST(NextListenAddress, TcpPicksAPortInTheRangeAndAdvances) {
  ListenPlan plan;
  plan.network = ListenPlan::Network::kTcp;
  plan.min_port = 20000;
  plan.max_port = 29999;
  int next_port = plan.min_port;
  ListenAddress a;
  ASSERT_TRUE(NextListenAddress(plan, &next_port, &a).ok());
  EXPECT_EQ(a.network, "tcp");
  ASSERT_TRUE(a.address.starts_with("127.0.0.1:"));
  const int port = std::stoi(a.address.substr(10));
  EXPECT_GE(port, 20000);
  EXPECT_LE(port, 29999);
  EXPECT_EQ(next_port, port + 1);
  EXPECT_EQ(a.grpc_uri, a.address);
  EXPECT_TRUE(a.socket_path.empty());
}

}  // namespace
}  // namespace runnel::handshake
