#include "live/host_check.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

HostPolicy Enforcing() {
  HostPolicy policy;
  policy.enforce_domain = true;
  policy.domain = "grafana.example";
  policy.root_url = "https://grafana.example/";
  return policy;
}

HostRequest With(std::vector<std::string_view> hosts, bool api = true) {
  HostRequest request;
  request.hosts = std::move(hosts);
  request.target = "/d/x?y=1";
  request.api_or_upgrade = api;
  return request;
}

TEST(HostCheckTest, GoNetHttpRules) {
  const HostPolicy open;
  EXPECT_EQ(CheckHost(With({"a"}), open).status, 0);
  EXPECT_EQ(CheckHost(With({"a", "a"}), open).status, 400);
  EXPECT_EQ(CheckHost(With({}), open).status, 400);
  HostRequest http10 = With({});
  http10.version = 10;
  EXPECT_EQ(CheckHost(http10, open).status, 0);
  EXPECT_EQ(CheckHost(With({"a b"}), open).status, 400);
  EXPECT_EQ(CheckHost(With({"a\"b"}), open).status, 400);
  EXPECT_EQ(CheckHost(With({"[::1]:3000"}), open).status, 0);
}

TEST(HostCheckTest, EnforceDomainComparesTheHostnameOnly) {
  EXPECT_EQ(CheckHost(With({"grafana.example"}), Enforcing()).status, 0);
  EXPECT_EQ(CheckHost(With({"GRAFANA.example:8443"}), Enforcing()).status, 0);
  EXPECT_EQ(CheckHost(With({"evil.example"}), Enforcing()).status, 421);
  EXPECT_EQ(CheckHost(With({"grafana.example.evil"}), Enforcing()).status, 421);
  EXPECT_EQ(CheckHost(With({"127.0.0.1:3000"}), Enforcing()).status, 421);
  HostRequest http10 = With({});
  http10.version = 10;
  EXPECT_EQ(CheckHost(http10, Enforcing()).status, 421);
}

TEST(HostCheckTest, EnforceDomainRedirectsPages) {
  HostVerdict verdict =
      CheckHost(With({"evil.example"}, /*api=*/false), Enforcing());
  EXPECT_EQ(verdict.status, 301);
  EXPECT_EQ(verdict.location, "https://grafana.example/d/x?y=1");
}

}  // namespace
}  // namespace runnel::host
