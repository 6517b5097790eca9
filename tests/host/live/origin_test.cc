#include "live/origin.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

const std::string kRoot = "http://localhost:3000/";

TEST(CheckOriginTest, NoOriginIsAllowed) {
  EXPECT_TRUE(CheckOrigin("", "example.com", kRoot, {}));
}

TEST(CheckOriginTest, StarAllowsAnything) {
  EXPECT_TRUE(CheckOrigin("http://evil.example", "h:3000", kRoot, {"*"}));
  // "*" among others is an ordinary glob, which matches anything too.
  EXPECT_TRUE(
      CheckOrigin("http://evil.example", "h:3000", kRoot, {"http://a", "*"}));
}

TEST(CheckOriginTest, SameHostAsRequestIsAllowed) {
  EXPECT_TRUE(CheckOrigin("http://myhost:3000", "myhost:3000", kRoot, {}));
  EXPECT_TRUE(CheckOrigin("HTTP://MyHost:3000", "myhost:3000", kRoot, {}));
  EXPECT_FALSE(CheckOrigin("http://myhost:3001", "myhost:3000", kRoot, {}));
}

TEST(CheckOriginTest, RootUrlMatches) {
  // With a port: scheme + host:port must equal root_url's.
  EXPECT_TRUE(CheckOrigin("http://localhost:3000", "proxy:80", kRoot, {}));
  EXPECT_FALSE(CheckOrigin("https://localhost:3000", "proxy:80", kRoot, {}));
  EXPECT_FALSE(CheckOrigin("http://localhost:4000", "proxy:80", kRoot, {}));
  // Without a port: scheme + hostname.
  EXPECT_TRUE(CheckOrigin("http://localhost", "proxy:80", kRoot, {}));
  EXPECT_TRUE(CheckOrigin("https://grafana.example.com", "internal:3000",
                          "https://grafana.example.com/", {}));
}

TEST(CheckOriginTest, GlobsMatchTheRawOrigin) {
  std::vector<std::string> globs = {"https://*.example.com"};
  EXPECT_TRUE(CheckOrigin("https://app.example.com", "h:3000", kRoot, globs));
  EXPECT_TRUE(CheckOrigin("https://App.Example.com", "h:3000", kRoot, globs));
  EXPECT_FALSE(CheckOrigin("http://app.example.com", "h:3000", kRoot, globs));
  EXPECT_FALSE(CheckOrigin("https://example.org", "h:3000", kRoot, globs));
}

TEST(CheckOriginTest, OthersAreDenied) {
  EXPECT_FALSE(CheckOrigin("http://evil.example", "h:3000", kRoot, {}));
  EXPECT_FALSE(CheckOrigin("null", "h:3000", kRoot, {}));
}

TEST(CheckOriginTest, UnparsableOriginIsDenied) {
  EXPECT_FALSE(CheckOrigin("http://bad host", "bad host", kRoot, {"*x*"}));
  EXPECT_FALSE(CheckOrigin("http://h:port", "h:port", kRoot, {}));
  EXPECT_FALSE(CheckOrigin("://x", "", kRoot, {"*x"}));
}

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc"));
  EXPECT_FALSE(GlobMatch("a*c", "abbbd"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_TRUE(GlobMatch("http://{a,b}.x", "http://b.x"));
  EXPECT_FALSE(GlobMatch("http://{a,b}.x", "http://c.x"));
  EXPECT_TRUE(GlobMatch("[a-c]1", "b1"));
  EXPECT_FALSE(GlobMatch("[!a-c]1", "b1"));
  EXPECT_TRUE(GlobMatch("a\\*", "a*"));
  EXPECT_FALSE(GlobMatch("a\\*", "ab"));
}

}  // namespace
}  // namespace runnel::host
